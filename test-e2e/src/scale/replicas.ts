// IN-CSE replicas on one PostgreSQL schema (docs/scale-out.md), each its own process with its own data
// directory, keystore and TLS-PSK listener, all holding one AE's Kpsa (provisioned through each replica's
// credentials CLI; the binding lives in the shared store). What a load balancer puts behind one address.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type InCseProcess, pgUrl, startInCseProcess } from '@m2msec/test-support';
import pg from 'pg';

const inCseDist = fileURLToPath(new URL('../../../apps/in-cse/dist/', import.meta.url));

export interface Replica {
  cse: InCseProcess;
  pskPort: number;
}

export interface ReplicaSet {
  schema: string;
  replicas: Replica[];
  /** The AE every replica knows: its AE-ID and its Kpsa (identity and key). */
  ae: { aeId: string; identity: string; key: Buffer };
  /** The administrator (originator CAdmin) every replica knows, bound to its own Kpsa. */
  admin: { identity: string; key: Buffer };
  stop(): Promise<void>;
}

function credentials(configPath: string, dataDir: string, env: Record<string, string>, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(inCseDist, 'credentials.js'), ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, ...env, M2MSEC_CONFIG: configPath, M2MSEC_DATA_DIR: dataDir, M2MSEC_LOG_LEVEL: 'warn' },
  });
  if (r.status !== 0) throw new Error(`credentials ${args[0]} failed (${r.status}): ${r.stderr}`);
}

export async function startReplicas(
  n: number,
  ae: { aeId: string; identity: string; key: Buffer },
  /** The database every replica uses (default: the machine's PostgreSQL). */
  databaseUrl: string = pgUrl,
): Promise<ReplicaSet> {
  const admin = { identity: 'scale-admin@in.m2msec.org', key: randomBytes(32) };
  const schema = `scale_${process.pid}_${Date.now().toString(36)}`;
  const pgEnv = { M2MSEC_STORE: 'postgres', M2MSEC_PG_URL: databaseUrl, M2MSEC_PG_SCHEMA: schema };
  const replicas: Replica[] = [];
  const set: ReplicaSet = {
    schema,
    replicas,
    ae,
    admin,
    async stop() {
      await Promise.all(replicas.map((r) => r.cse.stop()));
      const admin = new pg.Client({ connectionString: databaseUrl });
      admin.on('error', () => undefined); // a lost connection rejects the query below
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
  try {
    for (let i = 0; i < n; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), `m2msec-replica${i + 1}-`));
      const pskPort = await freePort();
      const configPath = join(dataDir, 'config.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          registration: {
            appRules: [
              {
                name: 'scale-ae',
                applicableCredIDs: [`12-${ae.identity}`],
                allowedAppIDs: ['Nscale'],
                allowedAEs: [ae.aeId],
              },
            ],
          },
          security: {
            // The administrator is a principal bound to its PSK credential (docs/administration.md).
            administrators: [{ name: 'psk-admin', originator: 'CAdmin', credentialId: `12-${admin.identity}` }],
            psk: { host: '127.0.0.1', port: pskPort, tls13: true },
            keyFile: join(mkdtempSync(join(tmpdir(), 'm2msec-replica-kek-')), 'keystore.key'),
          },
        }),
        { mode: 0o600 },
      );
      credentials(
        configPath,
        dataDir,
        pgEnv,
        ['add-psk', '--id', ae.identity, '--key-file', '-', ...(i === 0 ? ['--bind', ae.aeId] : [])],
        ae.key.toString('hex'),
      );
      credentials(
        configPath,
        dataDir,
        pgEnv,
        ['add-psk', '--id', admin.identity, '--key-file', '-'],
        admin.key.toString('hex'),
      );
      const cse = await startInCseProcess({
        main: join(inCseDist, 'main.js'),
        store: 'postgres',
        pgSchema: schema,
        dataDir,
        env: { M2MSEC_CONFIG: configPath, M2MSEC_PG_URL: databaseUrl },
      });
      replicas.push({ cse, pskPort });
    }
  } catch (e) {
    await set.stop().catch(() => undefined);
    throw e;
  }
  return set;
}
