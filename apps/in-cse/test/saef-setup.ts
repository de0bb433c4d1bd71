// Starting the IN-CSE process with TLS listeners, provisioning credentials through its admin CLI,
// and independent TLS clients (openssl s_client, gnutls-cli, curl) as processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type InCseProcess, startInCse } from './harness.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'credentials.js');

export interface SecureInCse {
  cse: InCseProcess;
  dataDir: string;
  configPath: string;
  pskPort: number;
  certPort: number;
  restart(): Promise<void>;
}

export function writeConfig(dataDir: string, config: unknown): string {
  const path = join(dataDir, 'config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** Runs the credentials CLI against the IN-CSE data directory (IN-CSE stopped). */
export function credentialsCli(configPath: string, dataDir: string, args: string[], input?: string): string {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, M2MSEC_CONFIG: configPath, M2MSEC_DATA_DIR: dataDir, M2MSEC_LOG_LEVEL: 'warn' },
  });
  if (r.status !== 0) throw new Error(`credentials ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export async function prepareSecureInCse(
  security: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Omit<SecureInCse, 'cse' | 'restart'> & { start(env?: Record<string, string>): Promise<SecureInCse> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-in-cse-saef-'));
  const pskPort = await freePort();
  const certPort = await freePort();
  const configPath = writeConfig(dataDir, {
    ...extra,
    security: {
      psk: { host: '127.0.0.1', port: pskPort, tls13: true },
      // The KEK outside the data directory it protects (the secure profile refuses it inside).
      keyFile: join(mkdtempSync(join(tmpdir(), 'm2msec-in-cse-kek-')), 'keystore.key'),
      ...security,
    },
  });
  const base = { dataDir, configPath, pskPort, certPort };
  return {
    ...base,
    async start(extraEnv: Record<string, string> = {}) {
      const env = { M2MSEC_CONFIG: configPath, ...extraEnv };
      const out: SecureInCse = {
        ...base,
        cse: await startInCse({ store: 'sqlite', dataDir, env }),
        async restart() {
          await out.cse.stop();
          out.cse = await startInCse({ store: 'sqlite', dataDir, env });
        },
      };
      return out;
    },
  };
}

export interface PeerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TLS client process; stdin stays open when keepOpen (the server's close ends the client). */
export function runPeer(
  cmd: string,
  args: string[],
  input = '',
  timeoutMs = 15_000,
  keepOpen = false,
): Promise<PeerResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on('error', () => undefined);
    if (keepOpen) p.stdin.write(input);
    else p.stdin.end(input);
  });
}

/** A raw HTTP/1.1 oneM2M request (TS-0009 headers) to send through a TLS client's stdin. */
export function rawRequest(
  method: string,
  path: string,
  from: string,
  o: { ty?: number; body?: unknown } = {},
): string {
  const body = o.body === undefined ? '' : JSON.stringify(o.body);
  return [
    `${method} ${path} HTTP/1.1`,
    'Host: id-in.m2msec.org',
    `X-M2M-Origin: ${from}`,
    `X-M2M-RI: raw-${Math.random().toString(36).slice(2)}`,
    'X-M2M-RVI: 3',
    'Accept: application/json',
    ...(body
      ? [`Content-Type: application/json${o.ty ? `;ty=${o.ty}` : ''}`, `Content-Length: ${Buffer.byteLength(body)}`]
      : []),
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Status, X-M2M-RSC and JSON body of a raw HTTP response on a peer's stdout. */
export function parseRaw(stdout: string): { status: number; rsc: number; body: any } {
  const at = stdout.indexOf('HTTP/1.1 ');
  if (at < 0) return { status: 0, rsc: 0, body: undefined };
  const text = stdout.slice(at);
  const [head, ...rest] = text.split('\r\n\r\n');
  const status = Number(head!.slice(9, 12));
  const rsc = Number(/x-m2m-rsc: *(\d+)/i.exec(head!)?.[1] ?? 0);
  const length = /content-length: *(\d+)/i.exec(head!)?.[1];
  const all = rest.join('\r\n\r\n');
  const raw = (length === undefined ? all : Buffer.from(all).subarray(0, Number(length)).toString()).trim();
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  return { status, rsc, body };
}

export function opensslPsk(port: number, identity: string, keyHex: string, input: string, extra: string[] = []) {
  return runPeer(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-psk', keyHex, '-psk_identity', identity, '-quiet', ...extra],
    input,
    15_000,
    true,
  );
}

export function gnutlsPsk(port: number, identity: string, keyHex: string, input: string) {
  return runPeer(
    'gnutls-cli',
    [
      '--pskusername',
      identity,
      '--pskkey',
      keyHex,
      '--priority',
      'NORMAL:-VERS-TLS1.3:+PSK:-DHE-PSK:-ECDHE-PSK',
      '-p',
      String(port),
      '127.0.0.1',
    ],
    input,
    15_000,
    true,
  );
}
