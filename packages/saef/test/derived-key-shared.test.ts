// DerivedKey windows shared by several resource-server instances (issue 18 item 3): three store
// instances on one PostgreSQL schema stand for three replicas behind a load balancer. The attack: a
// client's DK identity, once accepted by replica 1, is replayed to replicas 2 and 3 — at once (before
// they heard of it) and later. Only the transaction on the shared row can refuse the first; the
// notification lets the others refuse the second already in the pskCallback.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore, type Store } from '@m2msec/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptDerivedKeySession,
  DerivedKeyResourceServer,
  DerivedKeyTrustAnchor,
  pskServerOptions,
} from '../src/index.js';
import { echoServer, opensslPsk } from './tls-peers.js';

const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `m2msec_dk_${process.pid}_${Date.now().toString(36)}`;
const kRsTa = randomBytes(32);
const stores: Store[] = [];
const servers: DerivedKeyResourceServer[] = [];
let ta: DerivedKeyTrustAnchor;

async function replica(): Promise<DerivedKeyResourceServer> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
  stores.push(store);
  const rs = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key: kRsTa }],
    shared: { store, collection: 'dk-windows' },
  });
  servers.push(rs);
  return rs;
}

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The handshake-completion step of one replica, then the shared decision (what its requests wait for). */
async function admitted(rs: DerivedKeyResourceServer, identity: string): Promise<boolean> {
  if (!rs.check(identity).ok) return false;
  if (!rs.accept(identity).ok) return false;
  return rs.durable(identity).then(
    () => true,
    () => false,
  );
}

let r1: DerivedKeyResourceServer;
let r2: DerivedKeyResourceServer;
let r3: DerivedKeyResourceServer;

beforeAll(async () => {
  const taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'dk-ta-')), 'ta.db') });
  stores.push(taStore);
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('dk-ta'),
    authorize: () => true,
  });
  [r1, r2, r3] = [await replica(), await replica(), await replica()];
});

afterAll(async () => {
  for (const rs of servers) await rs.close();
  for (const s of stores) await s.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe('DerivedKey shared windows across replicas', () => {
  it('an identity accepted by replica 1 is refused by replicas 2 and 3 (heard through the store)', async () => {
    const g = await ta.issue('Cabc');
    expect(await admitted(r1, g.identity)).toBe(true);
    await until(() => !r2.check(g.identity).ok && !r3.check(g.identity).ok);
    expect(r2.check(g.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(r3.check(g.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
  });

  it('the same identity completing on all three replicas at once is admitted exactly once', async () => {
    for (let i = 0; i < 10; i++) {
      const g = await ta.issue('Cabc');
      // All three pass their local check (none has heard of the others yet) ...
      for (const rs of [r1, r2, r3]) expect(rs.check(g.identity).ok).toBe(true);
      // ... and the shared transaction admits one of them.
      const verdicts = await Promise.all([r1, r2, r3].map((rs) => admitted(rs, g.identity)));
      expect(verdicts.filter(Boolean)).toHaveLength(1);
    }
  });

  it('a number revoked at replica 1 is refused and its sessions torn down at replica 2', async () => {
    const g = await ta.issue('Crev');
    expect(await admitted(r2, g.identity)).toBe(true);
    const heard: bigint[] = [];
    r2.onRevoked((_taId, seqs) => heard.push(...seqs));
    const later = await ta.issue('Crev');
    await r1.applyRevocation(JSON.parse(JSON.stringify(ta.revoke([g.sequenceNumber, later.sequenceNumber]))));
    await until(() => heard.includes(g.sequenceNumber));
    await until(() => !r3.check(later.identity).ok);
    expect(r3.check(later.identity)).toMatchObject({ ok: false, code: 'DK_REVOKED' });
    expect(await admitted(r2, later.identity)).toBe(false);
  });

  it('openssl s_client: accepted by replica 1, the replay to replica 2 ends unserved', async () => {
    const serve = (rs: DerivedKeyResourceServer) =>
      echoServer(
        pskServerOptions({
          resolve: (id) => {
            const r = rs.check(id);
            return r.ok ? r.key : undefined;
          },
        }),
        // What the CSE's durability gate does: answer only after the shared decision.
        async (s) => {
          const a = acceptDerivedKeySession(rs, s);
          if (!a?.ok) return 'refused';
          return rs.durable(a.identity.identity).then(
            () => 'ok dk',
            () => 'refused',
          );
        },
      );
    const s1 = await serve(r1);
    const s2 = await serve(r2);
    try {
      const g = await ta.issue('Cssl');
      const ok = await opensslPsk(s1.port, g.identity, g.key.toString('hex'), '', ['-tls1_2']);
      expect(ok.stdout).toContain('ok dk');
      await until(() => !r2.check(g.identity).ok);
      const replay = await opensslPsk(s2.port, g.identity, g.key.toString('hex'), '', ['-tls1_2']);
      expect(replay.stdout).not.toContain('ok dk');
    } finally {
      s1.server.close();
      s2.server.close();
    }
  });

  it('two trust-anchor instances on one store never issue the same sequence number', async () => {
    const tas = await Promise.all(
      [stores[1]!, stores[2]!].map((store) =>
        DerivedKeyTrustAnchor.open({
          taId: 'ta2',
          key: kRsTa,
          shared: { store, collection: 'dk-ta' },
          authorize: () => true,
        }),
      ),
    );
    const grants = await Promise.all(Array.from({ length: 40 }, (_, i) => tas[i % 2]!.issue('Cmany')));
    const seqs = new Set(grants.map((g) => g.sequenceNumber));
    expect(seqs.size).toBe(40);
  });

  it('refuses a configuration that mixes shared and per-process state', async () => {
    await expect(
      DerivedKeyResourceServer.open({
        trustAnchors: [{ taId: 'ta1', key: kRsTa }],
        shared: { store: stores[1]!, collection: 'dk-windows' },
        journalPath: join(tmpdir(), 'never.journal'),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
