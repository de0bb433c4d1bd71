// The MEF (apps/mef) and the enrolee CLI (m2msec-enrol) as processes for the RSPF tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mefDist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'mef', 'dist');
export const MEF_FQDN = 'mef.m2msec.org';
export const ADMIN_TOKEN = 'rspf-test-admin-token';

export interface MefProcess {
  /** As the MEF announces them ("MEF ready"); psk is there because these tests always open that listener. */
  urls: { psk: string; admin: string; crl?: string; gbaUb?: string; gbaZn?: string };
  output(): string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startMefProcess(env: Record<string, string> = {}): Promise<MefProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-mef-'));
  const child: ChildProcess = spawn(process.execPath, [join(mefDist, 'main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MEF_CONFIG: '',
      M2MSEC_MEF_FQDN: MEF_FQDN,
      M2MSEC_MEF_DATA_DIR: dataDir,
      M2MSEC_MEF_PSK_PORT: '0',
      M2MSEC_MEF_ADMIN_PORT: '0',
      M2MSEC_MEF_ADMIN_TOKEN: ADMIN_TOKEN,
      M2MSEC_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  let urls: MefProcess['urls'] | undefined;
  while (!urls) {
    const line = out.split('\n').find((l) => l.includes('"MEF ready"'));
    if (line) urls = JSON.parse(line).urls;
    else if (child.exitCode !== null) throw new Error(`MEF exited: ${out}`);
    else if (Date.now() > deadline) throw new Error(`MEF did not start: ${out}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  const u = urls;
  return {
    urls: u,
    output: () => out,
    async admin(method, path, body) {
      const r = await fetch(u.admin + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: await r.json() };
    },
    async waitFor(text, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (Date.now() > end) throw new Error(`MEF never logged '${text}': ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs m2msec-enrol (built) to completion. */
export function enrolCli(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(mefDist, 'enrol.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
