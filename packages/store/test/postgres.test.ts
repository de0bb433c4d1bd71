import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, openStore, type Store } from '../src/index.js';
import { collectionContract } from './collection-contract.js';
import { res, storeContract } from './contract.js';
import { PG_URL, pgAdmin } from './pg-url.js';

// Every store of this run lives in its own schema, dropped at the end.
const run = `m2msec_test_${process.pid}_${Date.now().toString(36)}`;
const schemas = new WeakMap<Store, string>();
const created: string[] = [];
let admin: pg.Client;
let unreachable: Error | undefined;
let n = 0;

// No server means failing tests (each open() is refused, and the test below names the cause), never skips:
// a beforeAll that threw would only mark the tests skipped.
beforeAll(async () => {
  admin = await pgAdmin().catch((e: Error) => {
    unreachable = e;
    return undefined as unknown as pg.Client;
  });
});
afterAll(async () => {
  if (!admin) return;
  for (const s of created) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

async function openSchema(schema: string, applicationName?: string): Promise<Store> {
  if (!created.includes(schema)) created.push(schema);
  const s = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4, applicationName });
  schemas.set(s, schema);
  return s;
}

storeContract('postgres', {
  open: () => openSchema(`${run}_${n++}`),
  async reopen(s) {
    await s.close();
    return openSchema(schemas.get(s)!);
  },
  twin: (s) => openSchema(schemas.get(s)!),
  interleavedTwinTransactions: true,
});

collectionContract('postgres', () => openSchema(`${run}_${n++}`));

describe('postgres specifics', () => {
  it('reaches the PostgreSQL server (M2MSEC_PG_URL or the local default)', () => {
    if (unreachable) throw unreachable;
    expect(admin).toBeDefined();
  });

  it('creates the schema concurrently from several openers and via openStore', async () => {
    const schema = `${run}_shared`;
    created.push(schema);
    const [s0, s1, s2] = await Promise.all(
      [1, 2, 3].map(() => openStore({ kind: 'postgres', connectionString: PG_URL, schema, maxConnections: 2 })),
    );
    const stores = [s0!, s1!, s2!] as const;
    expect(stores.map((s) => s.kind)).toEqual(['postgres', 'postgres', 'postgres']);
    await stores[0].resources.create(res('C', '', 'cse-in', { ty: 5 }));
    expect((await stores[2].resources.get('C'))?.srn).toBe('cse-in');
    for (const s of stores) await s.close();
  });

  it('recovers when the server drops its connections', async () => {
    const app = `${run}_drop`;
    const s = await openSchema(`${run}_drop`, app);
    await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    await s.collection('c').put('k', 1);
    const { rows } = await admin.query(
      'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t',
      [app],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    // A query may fail on a connection that died while checked out; the pool then replaces it.
    let got: unknown;
    for (let i = 0; i < 5 && got === undefined; i++) got = await s.resources.get('C').catch(() => undefined);
    expect((got as { srn: string }).srn).toBe('cse-in');
    expect(await s.transaction(async (tx) => tx.collection('c').get('k'))).toBe(1);
    await s.close();
  });

  it('serves a typed subtree query from the (ty, srn) index, not by walking every resource of the type', async () => {
    // Issue: ?fu=1&ty=4&lim=10 under one AE walked every contentInstance of the CSE through an index on ty.
    const schema = `${run}_plan`;
    const s = await openSchema(schema);
    await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    await s.resources.create(res('A1', 'C', 'cse-in/ae1'));
    await s.resources.create(res('A2', 'C', 'cse-in/ae2'));
    const t = `"${schema}".resources`;
    await admin.query(
      `INSERT INTO ${t} (ri, pi, srn, ty, ct, lt, lvl, doc)
       SELECT 'I' || i, 'A2', 'cse-in/ae2/i' || i, 4, '20240101T000000', '20240101T000000', 3, '{}'::jsonb
       FROM generate_series(1, 20000) i`,
    );
    await admin.query(`ANALYZE ${t}`);
    const b = `(SELECT srn FROM ${t} WHERE ri = $1)`;
    const { rows } = await admin.query(
      `EXPLAIN SELECT r.doc FROM ${t} r WHERE r.srn >= ${b} || '/' AND r.srn < ${b} || '0' AND r.ty = $2
       ORDER BY r.srn LIMIT 10`,
      ['A1', 4],
    );
    const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index Scan using resources_ty_srn/);
    expect(plan).not.toMatch(/Seq Scan on resources r|Bitmap Heap Scan/);
    await s.close();
  });

  // Two processes' read-modify-write transactions on one row (a container's counters): with serializeOn
  // they queue, so not one aborts even with a single attempt each; without it they abort each other.
  it('serializeOn queues conflicting transactions of two store handles instead of aborting them', async () => {
    const schema = `${run}_serialize_on`;
    created.push(schema);
    const open = () =>
      openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2, maxTransactionAttempts: 1 });
    const handles = [await open(), await open()] as const;
    try {
      const counter = handles[0].collection<number>('counter');
      const bumps = async (serializeOn: string[] | undefined) => {
        await counter.put('n', 0);
        let aborted = 0;
        // Three writers per handle, each waiting for its own commit: many groups, interleaved.
        await Promise.all(
          handles.flatMap((st) =>
            [1, 2, 3].map(async () => {
              for (let i = 0; i < 15; i++) {
                await st
                  .transaction(
                    async (tx) => {
                      const v = (await tx.collection<number>('counter').get('n'))!;
                      await tx.collection<number>('counter').put('n', v + 1);
                    },
                    { serializeOn },
                  )
                  .catch((e: { code?: string }) => {
                    if (e.code !== '40001' && e.code !== '40P01') throw e;
                    aborted++;
                  });
              }
            }),
          ),
        );
        return { aborted, n: await counter.get('n') };
      };
      const without = await bumps(undefined);
      expect(without.aborted).toBeGreaterThan(0); // the contention is real
      expect(without.n).toBe(90 - without.aborted);
      expect(await bumps(['cnt-1'])).toEqual({ aborted: 0, n: 90 });
      const held = async () => {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid::int = hashtext($1)`,
          [`m2msec-serialize-on:"${schema}"`],
        );
        return rows[0].n as number;
      };
      // The lock is held while the transaction runs, and released after it: nothing is left holding.
      expect(await handles[0].transaction(() => held(), { serializeOn: ['cnt-1'] })).toBe(1);
      expect(await held()).toBe(0);
    } finally {
      for (const h of handles) await h.close();
    }
  });

  it('rejects bad options', async () => {
    await expect(openPostgresStore({ connectionString: PG_URL, schema: 'x"; DROP' })).rejects.toBeInstanceOf(TypeError);
    await expect(openPostgresStore({ connectionString: '' })).rejects.toBeInstanceOf(TypeError);
    await expect(openStore({ kind: 'mysql' } as never)).rejects.toThrow(/unknown store kind/);
  });

  it('plans find and range on a large collection as index scans, not a walk of the collection', async () => {
    const schema = `${run}_plans`;
    const s = await openSchema(schema);
    try {
      const c = s.collection<{ o: string; et: number }>('c', {
        indexes: { owner: { key: (v) => v.o }, expiry: { key: (v) => String(v.et).padStart(16, '0') } },
      });
      await c.put('k42', { o: 'owner42', et: 42 });
      // 20,000 more rows as the store writes them (index values in i1 / i2), in one statement.
      await admin.query(
        `INSERT INTO "${schema}".collections (name, key, value, i1, i2)
         SELECT 'c', 'g' || n, jsonb_build_object('o', 'g' || n), 'g' || n, lpad(n::text, 16, '0')
         FROM generate_series(1, 20000) AS n`,
      );
      expect((await c.find('owner', 'owner42')).map((e) => e.key)).toEqual(['k42']);
      await admin.query(`ANALYZE "${schema}".collections`);
      const plan = async (sql: string, args: unknown[]) =>
        (await admin.query(`EXPLAIN ${sql.replaceAll('$S', `"${schema}"`)}`, args)).rows
          .map((r: Record<string, string>) => r['QUERY PLAN'])
          .join('\n');
      const find = await plan(
        'SELECT key, value FROM $S.collections WHERE name = $1 AND i1 = $2 ORDER BY key LIMIT $3::bigint',
        ['c', 'owner42', null],
      );
      expect(find).toMatch(/Index (Only )?Scan using collections_i1|Bitmap Index Scan on collections_i1/);
      expect(find).not.toMatch(/Seq Scan/);
      const range = await plan(
        'SELECT key, value FROM $S.collections WHERE name = $1 AND i2 >= $2 AND i2 < $3 ORDER BY i2, key LIMIT $4::bigint',
        ['c', '', '0000000000000010', 500],
      );
      expect(range).toMatch(/collections_i2/);
      expect(range).not.toMatch(/Seq Scan/);
    } finally {
      await s.close();
    }
  }, 120_000);

  it('refuses a schema written by a newer version', async () => {
    const schema = `${run}_newer`;
    const s = await openSchema(schema);
    await s.close();
    await admin.query(`UPDATE "${schema}".store_meta SET version = 99`);
    await expect(openPostgresStore({ connectionString: PG_URL, schema })).rejects.toThrow(/newer/);
  });
});
