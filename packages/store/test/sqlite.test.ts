import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../src/index.js';
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
    expect(db.pragma('user_version', { simple: true })).toBe(1);
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

  it('refuses a database written by a newer schema version', async () => {
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    await expect(openSqliteStore({ file })).rejects.toThrow(/newer/);
  });
});
