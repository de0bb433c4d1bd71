// The real processes of the console's end-to-end test: the IN-CSE (secure profile, TLS-PSK and
// certificate listeners) with its credentials CLI, the console, the console CLI, and a device that
// keeps one TLS-PSK association open (node:tls as the PSK client).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const inCseDist = join(here, '..', '..', 'in-cse', 'dist');
const consoleDist = join(here, '..', 'dist');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  output(): string;
  stop(): Promise<void>;
}

function start(script: string, env: Record<string, string>): { child: ChildProcess; proc: Proc } {
  const child = spawn(process.execPath, [script], {
    env: { ...(process.env as Record<string, string>), M2MSEC_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    proc: {
      output: () => out,
      async stop() {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
      },
    },
  };
}

async function waitFor(what: string, p: { child: ChildProcess; proc: Proc }, probe: () => Promise<boolean>) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`${what} exited: ${p.proc.output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start: ${p.proc.output()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function inCseCredentials(configPath: string, dataDir: string, args: string[], input?: string): void {
  const r = spawnSync(process.execPath, [join(inCseDist, 'credentials.js'), ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, M2MSEC_CONFIG: configPath, M2MSEC_DATA_DIR: dataDir, M2MSEC_LOG_LEVEL: 'warn' },
  });
  if (r.status !== 0) throw new Error(`credentials ${args[0]} failed: ${r.stderr}`);
}

export async function startInCse(dataDir: string, config: unknown): Promise<Proc & { configPath: string }> {
  const configPath = join(dataDir, 'in-cse.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const port = await freePort();
  const p = start(join(inCseDist, 'main.js'), {
    M2MSEC_CONFIG: configPath,
    M2MSEC_DATA_DIR: dataDir,
    M2MSEC_HTTP_PORT: String(port),
    M2MSEC_HTTP_HOST: '127.0.0.1',
  });
  // The secure profile's plain listener answers RETRIEVE of the CSEBase only: enough to know it runs.
  await waitFor('IN-CSE', p, async () => {
    const r = await fetch(`http://127.0.0.1:${port}/cse-in`, {
      headers: { 'X-M2M-Origin': 'Cprobe', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
    });
    return r.status === 200;
  });
  return { ...p.proc, configPath };
}

export async function startConsole(configPath: string, origin: string): Promise<Proc> {
  const p = start(join(consoleDist, 'main.js'), { M2MSEC_CONSOLE_CONFIG: configPath });
  await waitFor('console', p, async () => (await fetch(`${origin}/login`)).status === 200);
  return p.proc;
}

export function consoleCli(
  configPath: string,
  args: string[],
  input = '',
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(consoleDist, 'cli.js'), ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, M2MSEC_CONSOLE_CONFIG: configPath },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A device holding one TLS-PSK association open, sending keep-alive HTTP requests on it. */
export class PskDevice {
  readonly socket: TLSSocket;
  readonly closed: Promise<void>;
  #buffer = '';
  #waiting: ((r: { status: number; rsc: number; body: any }) => void) | undefined;

  private constructor(socket: TLSSocket) {
    this.socket = socket;
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      this.#drain();
    });
  }

  static connect(port: number, identity: string, key: Buffer): Promise<PskDevice> {
    return new Promise((resolve, reject) => {
      const s = connect({
        host: '127.0.0.1',
        port,
        maxVersion: 'TLSv1.2',
        ciphers: 'PSK-AES128-GCM-SHA256:ECDHE-PSK-AES128-CBC-SHA256',
        pskCallback: () => ({ psk: key, identity }),
        checkServerIdentity: () => undefined,
      });
      s.once('secureConnect', () => resolve(new PskDevice(s)));
      s.once('error', reject);
    });
  }

  #drain(): void {
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.#waiting) return;
    const head = this.#buffer.slice(0, end);
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    const bytes = Buffer.from(this.#buffer.slice(end + 4));
    if (bytes.length < length) return;
    const text = bytes.subarray(0, length).toString();
    this.#buffer = bytes.subarray(length).toString();
    const done = this.#waiting;
    this.#waiting = undefined;
    done({
      status: Number(head.slice(9, 12)),
      rsc: Number(/x-m2m-rsc: *(\d+)/i.exec(head)?.[1] ?? 0),
      body: text ? JSON.parse(text) : undefined,
    });
  }

  request(method: string, path: string, from: string, o: { ty?: number; body?: unknown } = {}) {
    const body = o.body === undefined ? '' : JSON.stringify(o.body);
    const req = [
      `${method} ${path} HTTP/1.1`,
      'Host: id-in.m2msec.org',
      `X-M2M-Origin: ${from}`,
      `X-M2M-RI: dev-${Math.random().toString(36).slice(2)}`,
      'X-M2M-RVI: 3',
      'Accept: application/json',
      ...(body ? [`Content-Type: application/json${o.ty ? `;ty=${o.ty}` : ''}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    return new Promise<{ status: number; rsc: number; body: any }>((resolve, reject) => {
      this.#waiting = resolve;
      this.socket.once('close', () => reject(new Error('the association was closed')));
      this.socket.write(req);
    });
  }
}

/** The MEF process (apps/mef) with its admin API on a free loopback port; resolves to that URL. */
export async function startMef(
  dataDir: string,
  adminToken: string,
): Promise<Proc & { adminUrl: string; pskUrl: string }> {
  const p = start(join(here, '..', '..', 'mef', 'dist', 'main.js'), {
    M2MSEC_MEF_CONFIG: '',
    M2MSEC_MEF_FQDN: 'mef.m2msec.org',
    M2MSEC_MEF_DATA_DIR: dataDir,
    M2MSEC_MEF_PSK_PORT: '0',
    M2MSEC_MEF_ADMIN_PORT: '0',
    M2MSEC_MEF_ADMIN_TOKEN: adminToken,
  });
  let urls = { admin: '', psk: '' };
  await waitFor('MEF', p, async () => {
    const line = p.proc
      .output()
      .split('\n')
      .find((l) => l.includes('"MEF ready"'));
    if (line) urls = JSON.parse(line).urls;
    return !!line;
  });
  return { ...p.proc, adminUrl: urls.admin, pskUrl: urls.psk };
}

/** The MAF process (apps/maf) with its admin API on a free loopback port. */
export async function startMaf(dataDir: string, adminToken: string): Promise<Proc & { adminUrl: string }> {
  const adminPort = await freePort();
  const p = start(join(here, '..', '..', 'maf', 'dist', 'main.js'), {
    M2MSEC_MAF_CONFIG: '',
    M2MSEC_MAF_FQDN: 'maf.m2msec.org',
    M2MSEC_MAF_DATA_DIR: dataDir,
    M2MSEC_MAF_PSK_PORT: String(await freePort()),
    M2MSEC_MAF_ADMIN_PORT: String(adminPort),
    M2MSEC_MAF_ADMIN_TOKEN: adminToken,
  });
  await waitFor('MAF', p, async () => p.proc.output().includes('"MAF ready"'));
  return { ...p.proc, adminUrl: `http://127.0.0.1:${adminPort}` };
}
