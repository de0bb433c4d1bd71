// Issue 18 item 3 against IN-CSE processes: three replicas share one PostgreSQL store (as behind a
// load balancer), each with its own data directory, keystore and PSK listener. The attack: a DerivedKey
// identity that completed at replica 1 is replayed, with its right key, to replicas 2 and 3; and one
// fresh identity is raced to two replicas at once. Per-process windows would admit every one of these.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DerivedKeyTrustAnchor, OneM2MClient } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type InCseProcess, pgUrl, startInCse } from './harness.js';
import { opensslPsk, parseRaw, rawRequest, writeConfig } from './saef-setup.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'credentials.js');
const schema = `dk_replicas_${process.pid}_${Date.now().toString(36)}`;
const kRsTa = randomBytes(32);
const AE = 'Cdkrep';
const pgEnv = { M2MSEC_STORE: 'postgres', M2MSEC_PG_URL: pgUrl, M2MSEC_PG_SCHEMA: schema };

interface Replica {
  cse: InCseProcess;
  pskPort: number;
}
const replicas: Replica[] = [];
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

function credentials(configPath: string, dataDir: string, args: string[], input?: string): void {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, ...pgEnv, M2MSEC_CONFIG: configPath, M2MSEC_DATA_DIR: dataDir, M2MSEC_LOG_LEVEL: 'warn' },
  });
  if (r.status !== 0) throw new Error(`credentials ${args[0]} failed (${r.status}): ${r.stderr}`);
}

async function replica(n: number): Promise<Replica> {
  const dataDir = mkdtempSync(join(tmpdir(), `m2msec-dk-replica${n}-`));
  const pskPort = await freePort();
  const configPath = writeConfig(dataDir, {
    registration: {
      appRules: [{ name: 'dk', applicableCredIDs: ['12-DK.ta1.Cdkrep'], allowedAppIDs: ['Ndkrep'], allowedAEs: [AE] }],
    },
    security: {
      psk: { host: '127.0.0.1', port: pskPort, tls13: true },
      keyFile: join(mkdtempSync(join(tmpdir(), 'm2msec-dk-replica-kek-')), 'keystore.key'),
    },
  });
  credentials(configPath, dataDir, ['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'], kRsTa.toString('hex'));
  // The binding lives in the shared store: made once, seen by every replica.
  if (n === 1) credentials(configPath, dataDir, ['bind', '--credential', '12-DK.ta1.Cdkrep', '--ae', AE]);
  const cse = await startInCse({ store: 'postgres', pgSchema: schema, dataDir, env: { M2MSEC_CONFIG: configPath } });
  return { cse, pskPort };
}

/** A DerivedKey client (the SAEF client SDK) doing one request at a replica; rsc, or 0 when refused. */
async function request(
  at: Replica,
  grant: { identity: string; key: Buffer },
  r: Parameters<OneM2MClient['request']>[0],
) {
  const c = new OneM2MClient({
    baseUrl: `https://127.0.0.1:${at.pskPort}`,
    framework: { kind: 'derived-key', identity: grant.identity, key: grant.key },
  });
  try {
    return (await c.request(r)).rsc;
  } catch {
    return 0;
  } finally {
    c.close();
  }
}

async function until(pred: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  for (const n of [1, 2, 3]) replicas.push(await replica(n));
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await r.cse.stop();
  await taStore?.close();
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe('DerivedKey replay across IN-CSE replicas on one PostgreSQL', () => {
  it('an identity accepted by replica 1 is refused by replicas 2 and 3', async () => {
    const [r1, r2, r3] = replicas as [Replica, Replica, Replica];
    const g = await ta.issue('Cdkrep');
    const reg = await request(r1, g, {
      op: 1,
      to: 'cse-in',
      from: AE,
      ty: 2,
      pc: { 'm2m:ae': { rn: 'dk-rep', api: 'Ndkrep', rr: false, srv: ['3'] } },
    });
    expect(reg).toBe(2001);
    for (const other of [r2, r3]) {
      const r = await opensslPsk(other.pskPort, g.identity, g.key.toString('hex'), rawRequest('GET', '/cse-in', AE), [
        '-tls1_2',
      ]);
      expect(parseRaw(r.stdout).status, r.stdout).toBe(0);
    }
    // A fresh identity works at any replica: the AE registered at replica 1 is known to replica 3.
    const next = await ta.issue('Cdkrep');
    expect(await request(r3, next, { op: 2, to: 'cse-in/dk-rep', from: AE })).toBe(2000);
  });

  it('one fresh identity raced to two replicas is served by exactly one', async () => {
    const [, r2, r3] = replicas as [Replica, Replica, Replica];
    await until(
      async () => (await request(r2, await ta.issue('Cdkrep'), { op: 2, to: 'cse-in/dk-rep', from: AE })) === 2000,
    );
    for (let i = 0; i < 5; i++) {
      const g = await ta.issue('Cdkrep');
      const served = await Promise.all([r2, r3].map((r) => request(r, g, { op: 2, to: 'cse-in/dk-rep', from: AE })));
      expect(served.filter((rsc) => rsc === 2000).length, JSON.stringify(served)).toBe(1);
      expect(
        served.every((rsc) => rsc === 2000 || rsc === 0),
        JSON.stringify(served),
      ).toBe(true);
    }
  });
});
