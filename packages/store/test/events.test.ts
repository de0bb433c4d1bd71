// Store events (types.ts StoreEvents): what the shared-state caches of DESIGN.md section 6 rely on.
// PostgreSQL: two store instances on one schema stand for two processes (each has its own pool and its
// own listening connection); NOTIFY from a transaction arrives only if it commits.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, openSqliteStore, type Store } from '../src/index.js';
import { PG_URL, pgAdmin } from './pg-url.js';

const run = `m2msec_ev_${process.pid}_${Date.now().toString(36)}`;
let admin: pg.Client;
const schemas: string[] = [];
const open: Store[] = [];

beforeAll(async () => {
  admin = await pgAdmin();
});
afterAll(async () => {
  for (const s of open) await s.close().catch(() => undefined);
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

async function pgStore(schema: string, applicationName?: string): Promise<Store> {
  if (!schemas.includes(schema)) schemas.push(schema);
  const s = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 3, applicationName });
  open.push(s);
  return s;
}

async function sqliteStore(): Promise<Store> {
  const s = await openSqliteStore({ file: ':memory:' });
  open.push(s);
  return s;
}

/** Collects what a channel delivers; `until` polls with a deadline (no sleeps as synchronisation). */
function collect() {
  const got: Array<string | null> = [];
  return {
    got,
    listener: (p: string | null) => got.push(p),
    async until(pred: (g: Array<string | null>) => boolean, ms = 5000): Promise<void> {
      const end = Date.now() + ms;
      while (!pred(got)) {
        if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

describe.each([
  ['sqlite', () => sqliteStore()],
  ['postgres', () => pgStore(`${run}_local`)],
])('%s: events within one store instance', (_kind, openOne) => {
  it('delivers a published event to every subscriber of its channel, and stops after unsubscribe', async () => {
    const s = await openOne();
    const a = collect();
    const b = collect();
    const other = collect();
    const offA = await s.events.subscribe('dk-window', a.listener);
    await s.events.subscribe('dk-window', b.listener);
    await s.events.subscribe('psk-revoked', other.listener);
    await s.events.publish('dk-window', 'ta1');
    await a.until((g) => g.length === 1);
    await b.until((g) => g.length === 1);
    offA();
    await s.events.publish('dk-window', 'ta2');
    await b.until((g) => g.length === 2);
    expect(a.got).toEqual(['ta1']);
    expect(b.got).toEqual(['ta1', 'ta2']);
    expect(other.got).toEqual([]);
  });

  it('holds an event published in a transaction until it commits, and drops it on rollback', async () => {
    const s = await openOne();
    const c = collect();
    await s.events.subscribe('tx-events', c.listener);
    await expect(
      s.transaction(async (tx) => {
        await tx.events.publish('tx-events', 'rolled-back');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    let seenInside = -1;
    await s.transaction(async (tx) => {
      await tx.collection('c').put('k', 1);
      await tx.events.publish('tx-events', 'committed');
      await new Promise((r) => setTimeout(r, 50));
      seenInside = c.got.length;
    });
    await c.until((g) => g.includes('committed'));
    await s.events.publish('tx-events', 'marker');
    await c.until((g) => g.includes('marker'));
    expect(seenInside).toBe(0);
    expect(c.got).toEqual(['committed', 'marker']);
  });

  it('refuses channel names outside [a-z0-9-]{1,40} and oversized payloads', async () => {
    const s = await openOne();
    await expect(s.events.publish('Bad"; NOTIFY x; --', 'p')).rejects.toThrow(TypeError);
    await expect(s.events.subscribe('', () => undefined)).rejects.toThrow(TypeError);
    await expect(s.events.publish('ok', 'x'.repeat(7001))).rejects.toThrow(TypeError);
  });
});

describe('postgres: events between instances sharing a schema', () => {
  it('reaches another instance on the same schema and no instance on another schema', async () => {
    const a = await pgStore(`${run}_shared`);
    const b = await pgStore(`${run}_shared`);
    const elsewhere = await pgStore(`${run}_other`);
    const atB = collect();
    const atElsewhere = collect();
    await b.events.subscribe('dk-window', atB.listener);
    await elsewhere.events.subscribe('dk-window', atElsewhere.listener);
    await a.events.publish('dk-window', 'from-a');
    await a.transaction(async (tx) => tx.events.publish('dk-window', 'from-a-tx'));
    await atB.until((g) => g.length === 2);
    expect(atB.got).toEqual(['from-a', 'from-a-tx']);
    await elsewhere.events.publish('dk-window', 'own');
    await atElsewhere.until((g) => g.length === 1);
    expect(atElsewhere.got).toEqual(['own']);
  });

  it('re-listens after its connection is terminated and tells listeners to reread (null)', async () => {
    const app = `${run}_ev_drop`.slice(0, 60);
    const a = await pgStore(`${run}_drop`);
    const b = await pgStore(`${run}_drop`, app);
    const atB = collect();
    await b.events.subscribe('keys', atB.listener);
    await a.events.publish('keys', 'before');
    await atB.until((g) => g.includes('before'));
    const { rows } = await admin.query(
      'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE $2) t',
      [app, 'LISTEN%'],
    );
    expect(rows[0].n).toBe(1);
    await atB.until((g) => g.includes(null));
    await a.events.publish('keys', 'after');
    await atB.until((g) => g.includes('after'));
  });
});
