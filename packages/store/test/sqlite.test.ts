import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../src/index.js';
import { collectionContract } from './collection-contract.js';
import { res, storeContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'm2msec-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = new WeakMap<Store, string>();
let n = 0;

async function openFile(file: string): Promise<Store> {
  // 'normal' keeps the suite fast; durability of both settings is covered by the crash test.
  const s = await openSqliteStore({ file, synchronous: 'normal' });
  files.set(s, file);
  return s;
}

storeContract('sqlite', {
  open: () => openFile(join(dir, `contract-${n++}.db`)),
  async reopen(s) {
    await s.close();
    return openFile(files.get(s)!);
  },
  twin: (s) => openFile(files.get(s)!),
  // better-sqlite3 waits for another connection's write lock synchronously, which would block the event loop
  // the other in-process connection needs; cross-process transactions are tested in crash.test.ts.
  interleavedTwinTransactions: false,
});

collectionContract('sqlite', () => openFile(join(dir, `collections-${n++}.db`)));

describe('sqlite specifics', () => {
  it('answers every lim and ofst right past the bounded cache of query shapes (they are SQL literals)', async () => {
    const s = await openSqliteStore({ file: ':memory:' });
    await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    for (let i = 0; i < 40; i++) {
      const ct = `20261207T0000${String(i).padStart(2, '0')}`;
      await s.resources.create(res(`I${i}`, 'C', `cse-in/i${i}`, { ty: 4, ct }));
    }
    // 300 distinct (lim, ofst) shapes: more than the cache keeps, so it starts again on the way.
    for (let k = 0; k < 300; k++) {
      const lim = k % 41;
      const ofst = Math.floor(k / 41);
      const got = await s.resources.children('C', { ty: [4], order: 'desc', lim, ofst });
      const want = Array.from({ length: 40 }, (_, i) => `I${39 - i}`).slice(ofst, ofst + lim);
      expect(got.map((r) => r.ri)).toEqual(want);
    }
    await s.close();
  });

  it("works in memory with file ':memory:' (private per store)", async () => {
    const a = await openSqliteStore({ file: ':memory:' });
    const b = await openSqliteStore({ file: ':memory:' });
    await a.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    expect((await a.resources.getBySrn('cse-in'))?.ri).toBe('C');
    expect(await b.resources.get('C')).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('opens with WAL, the chosen synchronous level and foreign keys on', async () => {
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'pragmas.db');
    const s = await openSqliteStore({ file });
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
    expect(s.kind).toBe('sqlite');
    await s.close();
    await expect(openSqliteStore({ file, synchronous: 'off' as never })).rejects.toBeInstanceOf(TypeError);
    await expect(openSqliteStore({ file: '' })).rejects.toBeInstanceOf(TypeError);
  });

  it('serves a typed subtree query from the (ty, srn) index, not by walking every resource of the type', async () => {
    // Issue: ?fu=1&ty=4&lim=10 under one AE walked every contentInstance of the CSE through an index on ty.
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'plan.db');
    const s = await openSqliteStore({ file });
    await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    await s.close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('cse-in/ae1/', 'cse-in/ae10', 4, 10, 0) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    // The statement shape descendants() runs for { ty: [4], lim, order: 'path' } and for the ct order.
    const byPath = plan(
      'SELECT r.doc FROM resources r WHERE r.srn >= ? AND r.srn < ? AND r.ty = ? ORDER BY r.srn LIMIT ? OFFSET ?',
    );
    expect(byPath).toMatch(/USING INDEX resources_ty_srn \(ty=\? AND srn>\? AND srn<\?\)/);
    expect(byPath).not.toMatch(/TEMP B-TREE/); // index order: no sort of the matches
    const byCt = plan(
      'SELECT r.doc FROM resources r WHERE r.srn >= ? AND r.srn < ? AND r.ty = ? ORDER BY r.ct, r.ri LIMIT ? OFFSET ?',
    );
    expect(byCt).toMatch(/USING INDEX resources_ty_srn \(ty=\? AND srn>\? AND srn<\?\)/);
    // A label condition is answered from the label index, not by testing every resource of the subtree.
    const byLabel = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT r.doc FROM resources r WHERE r.srn >= ? AND r.srn < ?
           AND r.ri IN (SELECT l.ri FROM resource_labels l WHERE l.lbl IN (SELECT value FROM json_each(?)))
           ORDER BY r.srn LIMIT ? OFFSET ?`,
        )
        .all('cse-in/ae1/', 'cse-in/ae10', '["x"]', 10, 0) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ');
    expect(byLabel).toMatch(/SEARCH l USING COVERING INDEX resource_labels_lbl \(lbl=\?\)/);
    expect(byLabel).toMatch(/SEARCH r USING INDEX \S+ \(ri=\?\)/);
    db.close();
  });

  it('finds and sweeps collection entries through their index, never by scanning the collection', async () => {
    const file = join(dir, 'collection-plans.db');
    const s = await openFile(file);
    const c = s.collection<{ o: string; et: string }>('c', {
      indexes: { owner: { key: (v) => v.o }, expiry: { key: (v) => v.et } },
    });
    await c.put('k', { o: 'a', et: '1' });
    await s.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('; ');
    expect(
      plan(
        'SELECT key, value FROM collections INDEXED BY collections_i1 WHERE name = ? AND i1 = ? ORDER BY key LIMIT ?',
        'c',
        'a',
        5,
      ),
    ).toMatch(/^SEARCH collections USING INDEX collections_i1 \(name=\? AND i1=\?\)$/);
    expect(
      plan(
        'SELECT key, value FROM collections INDEXED BY collections_i2 WHERE name = ? AND i2 >= ? AND i2 < ? ORDER BY i2, key LIMIT ?',
        'c',
        '',
        '2',
        5,
      ),
    ).toMatch(/^SEARCH collections USING INDEX collections_i2 \(name=\? AND i2>\? AND i2<\?\)$/);
    db.close();
  });

  it('adds the index columns to a database written by schema version 1', async () => {
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'v1.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE collections (name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (name, key)) WITHOUT ROWID`);
    db.prepare('INSERT INTO collections (name, key, value) VALUES (?, ?, ?)').run('c', 'old', '{"o":"a"}');
    db.pragma('user_version = 1');
    db.close();
    const s = await openFile(file);
    const c = s.collection<{ o: string }>('c', { indexes: { owner: { key: (v) => v.o } } });
    expect(await c.get('old')).toEqual({ o: 'a' });
    await c.put('old', { o: 'a' }); // rewritten: now indexed
    await c.put('new', { o: 'a' });
    expect((await c.find('owner', 'a')).map((e) => e.key)).toEqual(['new', 'old']);
    await s.close();
  });

  it('refuses a database written by a newer schema version', async () => {
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    await expect(openSqliteStore({ file })).rejects.toThrow(/newer/);
  });
});
