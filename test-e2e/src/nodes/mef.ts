// The reference MEF (apps/mef, built) as its own process on loopback: TLS-PSK listener for enrolees
// (MEF Handshake credentials, TS-0003 8.3.2.1), the admin listener, a KEK outside its data directory,
// and an optional configuration file (0600: it may hold DSKPP keys).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './process.js';

export const mefMain = fileURLToPath(new URL('../../../apps/mef/dist/main.js', import.meta.url));
export const MEF_FQDN = 'mef.m2msec.org';

export interface MefNode {
  child: ChildProcess;
  urls: { psk?: string; admin: string; [k: string]: string | undefined };
  dataDir: string;
  output(): string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startMef(
  o: { config?: Record<string, unknown>; env?: Record<string, string>; dataDir?: string; kekFile?: string } = {},
): Promise<MefNode> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-mef-'));
  const dataDir = o.dataDir ?? join(dir, 'data');
  const adminToken = randomBytes(16).toString('hex');
  const kekFile = o.kekFile ?? join(dir, 'kek.hex');
  if (!o.kekFile) writeFileSync(kekFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  let configFile = '';
  if (o.config) {
    configFile = join(dir, 'mef.json');
    writeFileSync(configFile, JSON.stringify(o.config), { mode: 0o600 });
  }
  const child = spawn(process.execPath, [mefMain], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MEF_CONFIG: configFile,
      M2MSEC_MEF_FQDN: MEF_FQDN,
      M2MSEC_MEF_DATA_DIR: dataDir,
      M2MSEC_MEF_PSK_PORT: '0',
      M2MSEC_MEF_ADMIN_PORT: '0',
      M2MSEC_MEF_ADMIN_TOKEN: adminToken,
      M2MSEC_MEF_KEK_FILE: kekFile,
      M2MSEC_LOG_LEVEL: 'warn',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let urls: MefNode['urls'] | undefined;
  try {
    await until(
      'MEF ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`MEF exited: ${out}`);
        const line = out.split('\n').find((l) => l.includes('"MEF ready"'));
        if (line) urls = JSON.parse(line).urls;
        return urls !== undefined;
      },
      90_000,
      50,
    );
  } catch (e) {
    child.kill('SIGKILL'); // not left running behind a failed start
    throw e;
  }
  const u = urls!;
  return {
    child,
    urls: u,
    dataDir,
    output: () => out,
    async admin(method, path, body) {
      const r = await fetch(u.admin + path, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
