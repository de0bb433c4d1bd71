// The read cache (src/read-cache.ts) on a real SQLite store and on the in-memory store: hits, and every write path that must drop an
// entry (update, delete of a subtree, delete + re-create under the same path, transactions that commit or
// roll back, a read answered after a write ended). Each "no stale answer" case fails when the invalidation
// it exercises is removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { installReadCache, openMemoryStore, openSqliteStore, type ResourceQuery, type Store } from '../src/index.js';
import { res, t } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'm2msec-read-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function store(kind: 'sqlite' | 'memory'): Promise<Store> {
  const s =
    kind === 'memory'
      ? openMemoryStore()
      : await openSqliteStore({ file: join(dir, `c-${n++}.db`), synchronous: 'normal' });
  open.push(s);
  return s;
}

/** cse-in / ae1 / cnt1 / cin1, cin2. */
async function tree(s: Store) {
  await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
  await s.resources.create(res('A1', 'C', 'cse-in/ae1'));
  await s.resources.create(res('N1', 'A1', 'cse-in/ae1/cnt1', { ty: 3 }));
  await s.resources.create(res('I1', 'N1', 'cse-in/ae1/cnt1/cin1', { ty: 4, ct: t(1), con: 'one' }));
  await s.resources.create(res('I2', 'N1', 'cse-in/ae1/cnt1/cin2', { ty: 4, ct: t(2), con: 'two' }));
}

const latest: ResourceQuery = { ty: [4], order: 'desc', lim: 1 };

describe.each(['sqlite', 'memory'] as const)('read cache on %s', (kind) => {
  it('answers repeated reads from memory, each time with a fresh object', async () => {
    const s = await store(kind);
    await tree(s);
    const c = installReadCache(s);
    const a = await s.resources.get('N1');
    a!.acpi = ['mutated by a caller'];
    const b = await s.resources.getBySrn('cse-in/ae1/cnt1');
    expect(b?.acpi).toBeUndefined();
    expect((await s.resources.children('N1', latest)).map((r) => r.ri)).toEqual(['I2']);
    expect((await s.resources.children('N1', latest)).map((r) => r.ri)).toEqual(['I2']);
    expect(c.stats).toEqual({ hits: 2, misses: 2 });
  });

  it('an update outside a transaction: the next read by resourceID and by path sees it', async () => {
    const s = await store(kind);
    await tree(s);
    installReadCache(s);
    await s.resources.get('N1');
    await s.resources.getBySrn('cse-in/ae1/cnt1');
    await s.resources.update(res('N1', 'A1', 'cse-in/ae1/cnt1', { ty: 3, acpi: ['P2'], lt: t(9) }));
    expect((await s.resources.get('N1'))?.acpi).toEqual(['P2']);
    expect((await s.resources.getBySrn('cse-in/ae1/cnt1'))?.acpi).toEqual(['P2']);
  });

  it('an update in a transaction: seen after it commits; a rolled-back one leaves the old row', async () => {
    const s = await store(kind);
    await tree(s);
    installReadCache(s);
    await s.resources.get('A1');
    await s.transaction(async (tx) => {
      expect((await tx.resources.get('A1'))?.lbl).toBeUndefined();
      await tx.resources.update(res('A1', 'C', 'cse-in/ae1', { lbl: ['x'] }));
      expect((await tx.resources.get('A1'))?.lbl).toEqual(['x']); // the transaction reads its own write
    });
    expect((await s.resources.get('A1'))?.lbl).toEqual(['x']);
    await expect(
      s.transaction(async (tx) => {
        await tx.resources.update(res('A1', 'C', 'cse-in/ae1', { lbl: ['rolled back'] }));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await s.resources.getBySrn('cse-in/ae1'))?.lbl).toEqual(['x']);
  });

  it('deleting a subtree drops every resource in it and the parent’s children queries', async () => {
    const s = await store(kind);
    await tree(s);
    installReadCache(s);
    await s.resources.get('I2');
    await s.resources.getBySrn('cse-in/ae1/cnt1');
    await s.resources.children('A1', { ty: [3], lim: 1 });
    await s.transaction(async (tx) => {
      await tx.resources.delete('N1');
    });
    expect(await s.resources.get('I2')).toBeUndefined();
    expect(await s.resources.getBySrn('cse-in/ae1/cnt1')).toBeUndefined();
    expect(await s.resources.children('A1', { ty: [3], lim: 1 })).toEqual([]);
  });

  it('delete + re-create under the same name: the path answers the new resource, the old ID nothing', async () => {
    const s = await store(kind);
    await tree(s);
    installReadCache(s);
    expect((await s.resources.getBySrn('cse-in/ae1'))?.ri).toBe('A1');
    expect((await s.resources.get('A1'))?.ri).toBe('A1');
    await s.resources.delete('A1');
    await s.resources.create(res('A9', 'C', 'cse-in/ae1'));
    expect((await s.resources.getBySrn('cse-in/ae1'))?.ri).toBe('A9');
    expect(await s.resources.get('A1')).toBeUndefined();
    expect(await s.resources.get('N1')).toBeUndefined();
  });

  it('a new child: the cached latest-instance query answers it', async () => {
    const s = await store(kind);
    await tree(s);
    installReadCache(s);
    expect((await s.resources.children('N1', latest)).map((r) => r.ri)).toEqual(['I2']);
    await s.transaction(async (tx) => {
      await tx.resources.create(res('I3', 'N1', 'cse-in/ae1/cnt1/cin3', { ty: 4, ct: t(3) }));
    });
    expect((await s.resources.children('N1', latest)).map((r) => r.ri)).toEqual(['I3']);
    await s.resources.delete('I3');
    expect((await s.resources.children('N1', latest)).map((r) => r.ri)).toEqual(['I2']);
  });

  it('a read answered after a write ended never fills the cache with the row it read before', async () => {
    const s = await store(kind);
    await tree(s);
    // The real store, its answers delayed: the row is read at once, handed back 50 ms later (as a slow
    // database round trip would), by which time the update below has committed.
    const read = s.resources.get;
    s.resources.get = (ri) => read(ri).then((r) => new Promise((ok) => setTimeout(() => ok(r), 50)));
    installReadCache(s);
    const before = s.resources.get('A1');
    await s.transaction(async (tx) => {
      await tx.resources.update(res('A1', 'C', 'cse-in/ae1', { lbl: ['new'] }));
    });
    expect((await before)?.lbl).toBeUndefined();
    expect((await s.resources.get('A1'))?.lbl).toEqual(['new']);
  });

  it('stays within its bound and refuses a second installation', async () => {
    const s = await store(kind);
    await tree(s);
    const c = installReadCache(s, { maxEntries: 2 });
    for (const ri of ['C', 'A1', 'N1', 'I1', 'I2']) await s.resources.get(ri);
    expect(c.size()).toBeLessThanOrEqual(4);
    expect((await s.resources.get('C'))?.ri).toBe('C');
    expect(() => installReadCache(s)).toThrow('already installed');
  });
});
