// MEF replicas on one PostgreSQL schema with one KEK (docs/scale-out.md): each its own process, data
// directory and keystore, all behind one load-balanced MEF Handshake (TLS-PSK) address. Enrolees and the
// Enrolment Target are provisioned through the first replica's admin listener (the rows are shared).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pgUrl } from '@m2msec/test-support';
import pg from 'pg';

const mefMain = fileURLToPath(new URL('../../../apps/mef/dist/main.js', import.meta.url));
export const MEF_FQDN = 'mef.m2msec.org';

export interface MefReplica {
  pskPort: number;
  adminUrl: string;
  /** Ends the process with `signal` and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

export interface MefSet {
  replicas: MefReplica[];
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

async function startMef(env: Record<string, string>): Promise<MefReplica> {
  const pskPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [mefMain], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MEF_CONFIG: '',
      M2MSEC_MEF_FQDN: MEF_FQDN,
      M2MSEC_MEF_DATA_DIR: mkdtempSync(join(tmpdir(), 'm2msec-mef-replica-')),
      M2MSEC_MEF_PSK_PORT: String(pskPort),
      M2MSEC_MEF_ADMIN_PORT: '0',
      M2MSEC_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = out.split('\n').find((l) => l.includes('"MEF ready"'));
    if (line) {
      const urls = JSON.parse(line).urls as { admin: string };
      return {
        pskPort,
        adminUrl: urls.admin,
        output: () => out,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      };
    }
    if (child.exitCode !== null) throw new Error(`MEF exited: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`MEF did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMefReplicas(n: number): Promise<MefSet> {
  const schema = `mefs_${process.pid}_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-mef-set-'));
  const kekFile = join(dir, 'kek.hex');
  writeFileSync(kekFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const token = randomBytes(16).toString('hex');
  const env = {
    M2MSEC_STORE: 'postgres',
    M2MSEC_PG_URL: pgUrl,
    M2MSEC_PG_SCHEMA: schema,
    M2MSEC_MEF_KEK_FILE: kekFile,
    M2MSEC_MEF_ADMIN_TOKEN: token,
  };
  const replicas: MefReplica[] = [];
  const set: MefSet = {
    replicas,
    async admin(method, path, body) {
      const r = await fetch(replicas[0]!.adminUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: await r.json() };
    },
    async stop() {
      await Promise.all(replicas.map((r) => r.stop()));
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
  try {
    // One at a time: the first creates the schema and the KEK canary the others check.
    for (let i = 0; i < n; i++) replicas.push(await startMef(env));
  } catch (e) {
    await set.stop().catch(() => undefined);
    throw e;
  }
  return set;
}
