// The contract of keyed collections and their secondary indexes (docs/storage.md), which every
// CollectionStore passes: the in-memory store, SQLite and PostgreSQL (memory.test.ts, sqlite.test.ts,
// postgres.test.ts run it with real databases).
import { afterEach, describe, expect, it } from 'vitest';
import { type CollectionStore, StoreConflictError, sortableNumber } from '../src/index.js';

type Rec = { owner?: string; et?: number; serial?: string; n?: number };
const indexes = {
  owner: { key: (v: Rec) => v.owner },
  expiry: { key: (v: Rec) => (v.et === undefined ? undefined : sortableNumber(v.et)) },
  serial: { key: (v: Rec) => v.serial, unique: true },
};
const keys = (es: Array<{ key: string }>) => es.map((e) => e.key);

export function collectionContract(name: string, open: () => Promise<CollectionStore>): void {
  describe(`${name}: collection contract`, () => {
    const opened: CollectionStore[] = [];
    const fresh = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    describe('collections', () => {
      it('puts, gets, overwrites and deletes JSON values', async () => {
        const s = await fresh();
        const c = s.collection<unknown>('kpsa');
        expect(await c.get('k1')).toBeUndefined();
        const v = { kpsa: 'AAEC', exp: 5, tags: ['ü', '🙂'], n: null, deep: { a: [{ b: true }] } };
        await c.put('k1', v);
        expect(await c.get('k1')).toEqual(v);
        await c.put('k1', 'second');
        expect(await c.get('k1')).toBe('second');
        for (const scalar of [0, false, null, '', 1.5, []]) {
          await c.put('s', scalar);
          expect(await c.get('s')).toEqual(scalar);
        }
        expect(await c.delete('k1')).toBe(true);
        expect(await c.delete('k1')).toBe(false);
        expect(await c.get('k1')).toBeUndefined();
      });

      it('inserts only when absent', async () => {
        const s = await fresh();
        const c = s.collection<{ n: number }>('replay');
        expect(await c.insert('nonce1', { n: 1 })).toBe(true);
        expect(await c.insert('nonce1', { n: 2 })).toBe(false);
        expect(await c.get('nonce1')).toEqual({ n: 1 });
        const results = await Promise.all([1, 2, 3, 4].map((n) => c.insert('race', { n })));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('keeps collections apart', async () => {
        const s = await fresh();
        await s.collection('a').put('k', 1);
        await s.collection('b').put('k', 2);
        expect(await s.collection('a').get('k')).toBe(1);
        expect(await s.collection('b').get('k')).toBe(2);
        expect(await s.collection('a').list()).toEqual([{ key: 'k', value: 1 }]);
        await s.collection('a').delete('k');
        expect(await s.collection('b').get('k')).toBe(2);
      });

      it('lists by prefix in code point order with a limit', async () => {
        const s = await fresh();
        const c = s.collection<number>('sessions');
        const keys = ['a', 'a/1', 'a/2', 'a/10', 'a_x', 'a%', 'aX', 'b', 'a\uFFFF', 'a\u{1F600}', 'A', 'ä', ''];
        for (const [i, k] of keys.entries()) await c.put(k, i);
        const byCodePoint = (x: string, y: string) => {
          const a = Array.from(x, (ch) => ch.codePointAt(0)!);
          const b = Array.from(y, (ch) => ch.codePointAt(0)!);
          for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!; // i < both lengths
          return a.length - b.length;
        };
        const sorted = [...keys].sort(byCodePoint);
        expect((await c.list()).map((e) => e.key)).toEqual(sorted);
        expect((await c.list('')).map((e) => e.key)).toEqual(sorted);
        expect((await c.list('a/')).map((e) => e.key)).toEqual(['a/1', 'a/10', 'a/2']);
        expect(await c.list('a_')).toEqual([{ key: 'a_x', value: 4 }]);
        expect(await c.list('a%')).toEqual([{ key: 'a%', value: 5 }]);
        expect((await c.list('a')).map((e) => e.key)).toEqual(sorted.filter((k) => k.startsWith('a')));
        expect((await c.list('a', 3)).map((e) => e.key)).toEqual(['a', 'a%', 'a/1']);
        expect(await c.list('a', 0)).toEqual([]);
        expect(await c.list('zzz')).toEqual([]);
        expect((await c.list('a\uFFFF')).map((e) => e.key)).toEqual(['a\uFFFF']);
        expect((await c.list('a\u{10FFFF}')).map((e) => e.key)).toEqual([]);
        await expect(c.list('a', -1)).rejects.toBeInstanceOf(TypeError);
      });

      it('rejects values and keys it cannot store, and stores nothing', async () => {
        const s = await fresh();
        const c = s.collection<unknown>('x');
        await expect(c.put('k', undefined)).rejects.toBeInstanceOf(TypeError);
        await expect(c.put('k', () => 1)).rejects.toBeInstanceOf(TypeError);
        await expect(c.put('k', { a: 'nul\u0000' })).rejects.toThrow(/U\+0000/);
        await expect(c.insert('k', 10n)).rejects.toBeInstanceOf(TypeError);
        await expect(c.put('k\u0000', 1)).rejects.toBeInstanceOf(TypeError);
        await expect(c.put('', 1)).resolves.toBeUndefined();
        expect(await c.list()).toEqual([{ key: '', value: 1 }]);
        expect(await c.get('k\u0000')).toBeUndefined();
        expect(() => s.collection('')).toThrow(TypeError);
      });
    });

    describe('collections: offset pages', () => {
      it('pages with limit and offset in key order', async () => {
        const s = await fresh();
        const c = s.collection<number>('pages');
        for (let i = 0; i < 25; i++) await c.put(`k${String(i).padStart(2, '0')}`, i);
        expect(keys(await c.list('', 10, 0))).toEqual(Array.from({ length: 10 }, (_, i) => `k0${i}`));
        expect((await c.list('', 10, 20)).map((e) => e.value)).toEqual([20, 21, 22, 23, 24]);
        expect(await c.list('k1', 100, 10)).toEqual([]);
        expect((await c.list('k1', 2, 3)).map((e) => e.value)).toEqual([13, 14]);
        await expect(c.list('', 1, -1)).rejects.toBeInstanceOf(TypeError);
      });
    });

    describe('collections: secondary indexes', () => {
      it('finds entries by an index value, in key order, with a limit', async () => {
        const s = await fresh();
        const c = s.collection<Rec>('ix', { indexes });
        await c.put('b', { owner: 'alice', n: 1 });
        await c.put('a', { owner: 'alice', n: 2 });
        await c.put('c', { owner: 'bob' });
        await c.put('d', { n: 4 }); // no owner: not in that index
        expect(await c.find('owner', 'alice')).toEqual([
          { key: 'a', value: { owner: 'alice', n: 2 } },
          { key: 'b', value: { owner: 'alice', n: 1 } },
        ]);
        expect(keys(await c.find('owner', 'alice', 1))).toEqual(['a']);
        expect(await c.find('owner', 'carol')).toEqual([]);
        expect(await c.find('owner', '')).toEqual([]);
        expect(await c.find('owner', 'a\u0000')).toEqual([]);
      });

      it('moves an entry in its indexes when it is overwritten, and drops it when deleted', async () => {
        const s = await fresh();
        const c = s.collection<Rec>('ix', { indexes });
        await c.put('k', { owner: 'alice', et: 5 });
        await c.put('k', { owner: 'bob' });
        expect(await c.find('owner', 'alice')).toEqual([]);
        expect(keys(await c.find('owner', 'bob'))).toEqual(['k']);
        expect(await c.range('expiry', {})).toEqual([]);
        expect(await c.delete('k')).toBe(true);
        expect(await c.find('owner', 'bob')).toEqual([]);
        expect(await c.insert('k', { owner: 'carol' })).toBe(true);
        expect(await c.insert('k', { owner: 'dave' })).toBe(false); // not written: its index neither
        expect(await c.find('owner', 'dave')).toEqual([]);
        expect(keys(await c.find('owner', 'carol'))).toEqual(['k']);
      });

      it('walks an index in value order within half-open bounds (an expiry sweep)', async () => {
        const s = await fresh();
        const c = s.collection<Rec>('ix', { indexes });
        const ets = [1_700_000_000_000, 5, 99, 100, 1_000, 1_700_000_000_001];
        for (const [i, et] of ets.entries()) await c.put(`k${i}`, { et });
        await c.put('none', { owner: 'x' });
        expect((await c.range('expiry', {})).map((e) => e.value.et)).toEqual([...ets].sort((a, b) => a - b));
        expect((await c.range('expiry', { below: sortableNumber(100) })).map((e) => e.value.et)).toEqual([5, 99]);
        expect((await c.range('expiry', { below: sortableNumber(1_001), limit: 2 })).map((e) => e.value.et)).toEqual([
          5, 99,
        ]);
        expect(
          (await c.range('expiry', { from: sortableNumber(100), below: sortableNumber(1_700_000_000_001) })).map(
            (e) => e.value.et,
          ),
        ).toEqual([100, 1_000, 1_700_000_000_000]);
        expect(await c.range('expiry', { below: sortableNumber(0) })).toEqual([]);
        await expect(c.range('expiry', { limit: -1 })).rejects.toBeInstanceOf(TypeError);
        expect(() => sortableNumber(-1)).toThrow(TypeError);
        expect(() => sortableNumber(1.5)).toThrow(TypeError);
      });

      it('orders index values by code point and ties by key', async () => {
        const s = await fresh();
        const c = s.collection<Rec>('ix', { indexes });
        const owners = ['b', 'a\uFFFF', 'a\u{1F600}', 'A', 'a'];
        for (const [i, o] of owners.entries()) await c.put(`k${i}`, { owner: o });
        await c.put('k9', { owner: 'a' });
        const c2 = s.collection<Rec>('ix');
        expect((await c2.range('owner', {})).map((e) => [e.value.owner, e.key])).toEqual([
          ['A', 'k3'],
          ['a', 'k4'],
          ['a', 'k9'],
          ['a\uFFFF', 'k1'],
          ['a\u{1F600}', 'k2'],
          ['b', 'k0'],
        ]);
      });

      it('refuses a second key with the same unique index value, and writes nothing', async () => {
        const s = await fresh();
        const c = s.collection<Rec>('ix', { indexes });
        await c.put('a', { serial: '01', owner: 'alice' });
        await expect(c.put('b', { serial: '01', owner: 'bob' })).rejects.toBeInstanceOf(StoreConflictError);
        await expect(c.insert('b', { serial: '01', owner: 'bob' })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await c.get('b')).toBeUndefined();
        expect(await c.find('owner', 'bob')).toEqual([]);
        await c.put('a', { serial: '01', owner: 'ann' }); // the same key may keep its value
        await c.put('a', { serial: '02' });
        await c.put('b', { serial: '01' }); // released by the overwrite
        expect(keys(await c.find('serial', '01'))).toEqual(['b']);
        const racers = await Promise.allSettled(['x', 'y', 'z'].map((k) => c.put(k, { serial: '03' })));
        expect(racers.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      });

      it('keeps the declared indexes for every handle, transactions included, and undoes them on rollback', async () => {
        const s = await fresh();
        s.collection<Rec>('ix', { indexes });
        await s.transaction(async (tx) => {
          await tx.collection<Rec>('ix').put('a', { owner: 'alice', et: 7 });
        });
        await expect(
          s.transaction(async (tx) => {
            const c = tx.collection<Rec>('ix');
            await c.put('a', { owner: 'bob' });
            await c.put('b', { owner: 'bob' });
            expect(keys(await c.find('owner', 'bob'))).toEqual(['a', 'b']); // reads its own writes
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        const c = s.collection<Rec>('ix');
        expect(keys(await c.find('owner', 'alice'))).toEqual(['a']);
        expect(await c.find('owner', 'bob')).toEqual([]);
        expect(keys(await c.range('expiry', { below: sortableNumber(8) }))).toEqual(['a']);
      });

      it('refuses other indexes for a declared collection, unknown index names and bad declarations', async () => {
        const s = await fresh();
        const c = s.collection<Rec>('ix', { indexes });
        expect(() => s.collection<Rec>('ix', { indexes: { other: { key: (v: Rec) => v.owner } } })).toThrow(TypeError);
        expect(() => s.collection<Rec>('ix', { indexes })).not.toThrow();
        await expect(c.find('nope', 'x')).rejects.toBeInstanceOf(TypeError);
        await expect(s.collection('plain').find('owner', 'x')).rejects.toBeInstanceOf(TypeError);
        const four = { a: { key: () => 'a' }, b: { key: () => 'b' }, c: { key: () => 'c' }, d: { key: () => 'd' } };
        expect(() => s.collection('many', { indexes: four })).toThrow(TypeError);
        const twoUnique = { a: { key: () => 'a', unique: true }, b: { key: () => 'b', unique: true } };
        expect(() => s.collection('uniq', { indexes: twoUnique })).toThrow(TypeError);
        const bad = s.collection<Rec>('badvalue', { indexes: { owner: { key: () => 'nul\u0000' } } });
        await expect(bad.put('k', {})).rejects.toBeInstanceOf(TypeError);
        expect(await bad.get('k')).toBeUndefined();
      });

      it('keeps collections with the same index names apart', async () => {
        const s = await fresh();
        const a = s.collection<Rec>('ix-a', { indexes });
        const b = s.collection<Rec>('ix-b', { indexes });
        await a.put('k', { owner: 'alice', serial: 's' });
        await b.put('k', { owner: 'alice', serial: 's' }); // unique per collection
        expect(keys(await a.find('owner', 'alice'))).toEqual(['k']);
        await b.delete('k');
        expect(keys(await a.find('owner', 'alice'))).toEqual(['k']);
      });
    });
  });
}
