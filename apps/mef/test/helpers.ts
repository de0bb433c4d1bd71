// The MEF (dist/main.js) as a process, and small process helpers.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningMef } from '@m2msec/mef';

export const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
export const MEF_FQDN = 'mef.m2msec.org';
export const ADMIN_TOKEN = 'mef-app-test-admin-token';

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface MefProcess {
  /** As main.js announces them ("MEF ready"). */
  urls: RunningMef['urls'];
  dataDir: string;
  output(): string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startMefProcess(
  env: Record<string, string> = {},
  dataDir = tmp('m2msec-mef-'),
): Promise<MefProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(dist, 'main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MEF_CONFIG: '',
      M2MSEC_MEF_FQDN: MEF_FQDN,
      M2MSEC_MEF_DATA_DIR: dataDir,
      M2MSEC_MEF_PSK_PORT: '0',
      M2MSEC_MEF_ADMIN_PORT: '0',
      M2MSEC_MEF_ADMIN_TOKEN: ADMIN_TOKEN,
      M2MSEC_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000; // generous: the machine is shared and loaded
  let urls: MefProcess['urls'] | undefined;
  while (!urls) {
    const line = out.split('\n').find((l) => l.includes('"MEF ready"'));
    if (line) urls = JSON.parse(line).urls;
    else if (child.exitCode !== null) throw new Error(`MEF exited: ${out}`);
    else if (Date.now() > deadline) {
      child.kill('SIGKILL'); // not left running behind a failed start
      throw new Error(`MEF did not start: ${out}`);
    } else await new Promise((r) => setTimeout(r, 50));
  }
  const u = urls;
  return {
    urls: u,
    dataDir,
    output: () => out,
    async admin(method, path, body) {
      const r = await fetch(u.admin + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: await r.json() };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function run(
  cmd: string,
  args: string[],
  o: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(o.input ?? '');
  });
}
