// The MAF as its own process (apps/maf dist), its admin CLI, and the Entity A command (m2msec-maf-client),
// shared by the MAF tests of the IN-CSE and the MN-CSE. The caller's package must build @m2msec/maf-app
// first (a devDependency).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './in-cse-process.js';

// From packages/test-support/{src,dist}/ to apps/maf/dist/.
const mafDist = fileURLToPath(new URL('../../../apps/maf/dist/', import.meta.url));
export const MAF_FQDN = 'maf.m2msec.org';
/** The administrating stakeholder's FQDN the MAF tests register under (adminFQDN). */
export const MAF_ADMIN_FQDN = 'sp.m2msec.org';

export interface MafProcess {
  pskUrl: string;
  adminUrl: string;
  token: string;
  output(): string;
  admin(args: string[], input?: string): string;
  stop(): Promise<void>;
}

export async function startMafProcess(env: Record<string, string> = {}): Promise<MafProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-maf-'));
  const pskPort = await freePort();
  const adminPort = await freePort();
  const token = `token-${process.pid}`;
  const child: ChildProcess = spawn(process.execPath, [join(mafDist, 'main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MAF_CONFIG: '',
      M2MSEC_MAF_FQDN: MAF_FQDN,
      M2MSEC_MAF_DATA_DIR: dataDir,
      M2MSEC_MAF_PSK_PORT: String(pskPort),
      M2MSEC_MAF_ADMIN_PORT: String(adminPort),
      M2MSEC_MAF_ADMIN_TOKEN: token,
      M2MSEC_STORE: 'sqlite',
      M2MSEC_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"MAF ready"')) {
    if (child.exitCode !== null) throw new Error(`maf exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`maf did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  return {
    pskUrl: `https://127.0.0.1:${pskPort}`,
    adminUrl,
    token,
    output: () => out,
    admin(args, input) {
      const r = spawnSync(process.execPath, [join(mafDist, 'admin-cli.js'), ...args], {
        encoding: 'utf8',
        input,
        env: { ...process.env, M2MSEC_MAF_ADMIN_URL: adminUrl, M2MSEC_MAF_ADMIN_TOKEN: token },
        timeout: 30_000,
      });
      if (r.status !== 0) throw new Error(`m2msec-maf-admin ${args[0]} failed (${r.status}): ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface EntityAResult {
  code: number | null;
  steps: Array<Record<string, any>>;
  stderr: string;
}

/** Runs Entity A (m2msec-maf-client connect) as its own process; Km goes in on stdin. */
export function runEntityA(args: string[], km: Buffer): Promise<EntityAResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(mafDist, 'client-cli.js'), 'connect', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill(), 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stderr: err,
        steps: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      });
    });
    p.stdin.end(km.toString('hex'));
  });
}

/** Waits (bounded) until the MAF lists a registration of this MAF Client ID (a CSE registers at its start). */
export async function waitForMafRegistration(
  maf: MafProcess,
  clientId: string,
  describe: () => string = () => '',
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!JSON.parse(maf.admin(['list-registrations'])).some((r: { clientId: string }) => r.clientId === clientId)) {
    if (Date.now() > deadline) throw new Error(`${clientId} did not register at the MAF: ${describe()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
