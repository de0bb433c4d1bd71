// The storage contract every Store implementation must pass (DESIGN.md section 5). Run by sqlite.test.ts
// and postgres.test.ts with a harness that opens real databases, and by memory.test.ts on the in-memory
// store (which has no restart and no second instance: the two tests that need one are the databases').
import { afterEach, describe, expect, it } from 'vitest';
import { type Store, StoreConflictError, type StoredResource, StoreNotFoundError } from '../src/index.js';

export interface StoreHarness {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** Closes `store` and opens the same database again (process restart); absent: not durable. */
  reopen?(store: Store): Promise<Store>;
  /** A second, independent instance on the same database (another process's view); absent: none. */
  twin?(store: Store): Promise<Store>;
  /** Whether two instances in this one process may run transactions that interleave across awaits. */
  interleavedTwinTransactions: boolean;
}

/** m2m:timestamp for second `n` of 2024-01-01, lexicographically ordered. */
export const t = (n: number) => `20240101T${String(n).padStart(6, '0')}`;

export function res(ri: string, pi: string, srn: string, extra: Partial<StoredResource> = {}): StoredResource {
  return { ri, pi, srn, rn: srn.split('/').pop()!, ty: 2, ct: t(0), lt: t(0), ...extra };
}

const ris = (rs: StoredResource[]) => rs.map((r) => r.ri);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function storeContract(name: string, h: StoreHarness): void {
  describe(`${name}: Store contract`, () => {
    const open: Store[] = [];
    const track = (s: Store) => {
      open.push(s);
      return s;
    };
    const fresh = async () => track(await h.open());
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    /** cse-in / ae1 / cnt1 / cin1..3, and ae2 (ct increasing in creation order). */
    async function tree(s: Store) {
      const r = s.resources;
      await r.create(res('C', '', 'cse-in', { ty: 5 }));
      await r.create(res('A1', 'C', 'cse-in/ae1', { ct: t(1), lt: t(1), lbl: ['room1', 'floor1'] }));
      await r.create(res('N1', 'A1', 'cse-in/ae1/cnt1', { ty: 3, ct: t(2), lt: t(5), et: t(100) }));
      for (let i = 1; i <= 3; i++) {
        await r.create(
          res(`I${i}`, 'N1', `cse-in/ae1/cnt1/cin${i}`, {
            ty: 4,
            ct: t(2 + i),
            lt: t(2 + i),
            et: t(10 * i),
            lbl: i === 2 ? ['floor1'] : ['floor2'],
          }),
        );
      }
      await r.create(res('A2', 'C', 'cse-in/ae2', { ct: t(6), lt: t(9), et: t(50), lbl: ['room2'] }));
    }

    describe('resources: create, get, getBySrn', () => {
      it('round-trips nested attributes and unicode by ri and by srn', async () => {
        const s = await fresh();
        await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
        const r = res('A1', 'C', 'cse-in/ae1', {
          ty: 2,
          lbl: ['ключ', '标签', '🙂'],
          api: 'Nmy.app',
          rr: true,
          poa: [],
          nested: { a: [1, 2.5, -3e-7, { b: null }], s: 'זה טקסט \u2028 "quoted" \\ back' },
          emoji: '👩‍💻 \u{10FFFF}',
          big: Number.MAX_SAFE_INTEGER,
        });
        await s.resources.create(r);
        expect(await s.resources.get('A1')).toEqual(r);
        expect(await s.resources.getBySrn('cse-in/ae1')).toEqual(r);
        expect(await s.resources.get('nope')).toBeUndefined();
        expect(await s.resources.getBySrn('cse-in/nope')).toBeUndefined();
        expect(await s.resources.getBySrn('cse-in/AE1')).toBeUndefined(); // case-sensitive
      });

      it('returns a fresh copy each time', async () => {
        const s = await fresh();
        await s.resources.create(res('C', '', 'cse-in', { ty: 5, x: { y: 1 } }));
        const a = (await s.resources.get('C'))!;
        (a.x as { y: number }).y = 2;
        expect(((await s.resources.get('C'))!.x as { y: number }).y).toBe(1);
      });

      it('rejects a duplicate ri or srn with StoreConflictError and keeps the original', async () => {
        const s = await fresh();
        await tree(s);
        const before = await s.resources.get('A1');
        await expect(s.resources.create(res('A1', 'C', 'cse-in/other'))).rejects.toBeInstanceOf(StoreConflictError);
        await expect(s.resources.create(res('X', 'C', 'cse-in/ae1'))).rejects.toBeInstanceOf(StoreConflictError);
        await expect(s.resources.create(res('C', '', 'cse-in'))).rejects.toBeInstanceOf(StoreConflictError);
        await expect(s.resources.create(res('A1', 'C', 'cse-in/other', { lbl: ['zzz'] }))).rejects.toThrow(/A1/);
        expect(await s.resources.get('A1')).toEqual(before);
        expect(await s.resources.get('X')).toBeUndefined();
        expect(await s.resources.getBySrn('cse-in/other')).toBeUndefined();
        expect(await s.resources.descendants('C', { lbl: ['zzz'] })).toEqual([]);
      });

      it('rejects a child whose parent is missing or whose srn is not under the parent srn', async () => {
        const s = await fresh();
        await tree(s);
        await expect(s.resources.create(res('X', 'missing', 'cse-in/missing/x'))).rejects.toBeInstanceOf(
          StoreNotFoundError,
        );
        await expect(s.resources.create(res('Y', 'A1', 'cse-in/ae2/y'))).rejects.toBeInstanceOf(StoreNotFoundError);
        await expect(s.resources.create(res('Z', 'A1', 'cse-in/z'))).rejects.toBeInstanceOf(StoreNotFoundError);
        for (const ri of ['X', 'Y', 'Z']) expect(await s.resources.get(ri)).toBeUndefined();
      });

      it('rejects malformed resources with TypeError and stores nothing', async () => {
        const s = await fresh();
        await tree(s);
        const bad: Array<[StoredResource, RegExp]> = [
          [res('', 'C', 'cse-in/b1'), /ri must not be empty/],
          [res('B2', 'C', 'cse-in//b2'), /empty segment/],
          [res('B3', 'C', 'cse-in/b3/'), /empty segment/],
          [res('B4', 'C', 'b4'), /no parent path/],
          [res('B5\u0000', 'C', 'cse-in/b5'), /U\+0000/],
          [res('B6', 'C', 'cse-in/b6', { lbl: ['ok', '\uD800'] }), /lone surrogate/],
          [res('B7', 'C', 'cse-in/b7', { con: 'a\u0000b' }), /U\+0000/],
          [res('B8', 'C', 'cse-in/b8', { con: 'x\uDFFFy' }), /lone surrogate/],
          [res('B9', 'C', 'cse-in/b9', { big: 1n }), /JSON/],
          [res('B10', 'C', 'cse-in/b10', { ty: 1.5 }), /ty must be an integer/],
          [res('B11', 'C', 'cse-in/b11', { lbl: 'x' as unknown as string[] }), /lbl must be an array/],
          [res('B12', 'C', 'cse-in/b12', { et: 5 as unknown as string }), /et must be a string/],
        ];
        for (const [r, msg] of bad) {
          await expect(s.resources.create(r)).rejects.toThrow(msg);
          await expect(s.resources.create(r)).rejects.toBeInstanceOf(TypeError);
        }
        expect(await s.resources.countChildren('C')).toBe(2);
        // Escaped text that merely looks like an escape is fine: the two characters \ and u0000.
        const ok = res('B13', 'C', 'cse-in/b13', { con: '\\u0000 and \\\\u0000 and \\uD800' });
        await s.resources.create(ok);
        expect(await s.resources.get('B13')).toEqual(ok);
      });

      it('looks up keys no resource can have as absent', async () => {
        const s = await fresh();
        await tree(s);
        await s.resources.create(res('U', 'C', 'cse-in/\uFFFD'));
        expect(await s.resources.get('A1\u0000')).toBeUndefined();
        expect(await s.resources.getBySrn('cse-in/\uD800')).toBeUndefined();
        expect(await s.resources.children('\uD800')).toEqual([]);
        expect(await s.resources.delete('U\u0000')).toEqual([]);
        await expect(s.resources.get(5 as unknown as string)).rejects.toBeInstanceOf(TypeError);
      });

      it('handles srn segments with _ % . and other characters exactly', async () => {
        const s = await fresh();
        const r = s.resources;
        await r.create(res('C', '', 'cse-in', { ty: 5 }));
        const names = [
          'a_b',
          'aXb',
          'a%',
          'a%b',
          'a.b',
          'a.b.c',
          'a',
          'a-b',
          'a b',
          'a\\b',
          "a'b",
          'a*b',
          'a[b]',
          'a0',
          'a1',
        ];
        for (const [i, n] of names.entries()) {
          await r.create(res(`R${i}`, 'C', `cse-in/${n}`, { ct: t(i) }));
          await r.create(res(`R${i}c`, `R${i}`, `cse-in/${n}/child`, { ct: t(i) }));
        }
        for (const [i, n] of names.entries()) {
          expect((await r.getBySrn(`cse-in/${n}`))?.ri).toBe(`R${i}`);
          expect(ris(await r.descendants(`R${i}`))).toEqual([`R${i}c`]);
          expect(ris(await r.children(`R${i}`))).toEqual([`R${i}c`]);
        }
        expect(await r.getBySrn('cse-in/a_')).toBeUndefined();
        expect(await r.getBySrn('cse-in/a%%')).toBeUndefined();
        const gone = await r.delete('R0'); // a_b must not take aXb with it
        expect(ris(gone)).toEqual(['R0', 'R0c']);
        expect((await r.getBySrn('cse-in/aXb/child'))?.ri).toBe('R1c');
        expect(ris(await r.delete('R6'))).toEqual(['R6', 'R6c']); // 'a' must not take 'a-b', 'a.b', 'a%'...
        expect(await r.countChildren('C')).toBe(names.length - 2);
      });
    });

    describe('resources: update', () => {
      it('replaces the whole resource, its labels and its expiry', async () => {
        const s = await fresh();
        await tree(s);
        const old = (await s.resources.get('A1'))!;
        const updated = { ...old, lt: t(20), lbl: ['room9'], et: t(7), api: 'Nnew' };
        await s.resources.update(updated);
        expect(await s.resources.get('A1')).toEqual(updated);
        expect(await s.resources.getBySrn('cse-in/ae1')).toEqual(updated);
        expect(ris(await s.resources.children('C', { lbl: ['room1'] }))).toEqual([]);
        expect(ris(await s.resources.children('C', { lbl: ['room9'] }))).toEqual(['A1']);
        expect(ris(await s.resources.expired(t(8), 10))).toEqual(['A1']);
        const { lbl: _l, et: _e, api: _a, ...bare } = updated;
        await s.resources.update(bare);
        expect(await s.resources.get('A1')).toEqual(bare);
        expect(await s.resources.children('C', { lbl: ['room9'] })).toEqual([]);
        expect(await s.resources.expired(t(8), 10)).toEqual([]);
      });

      it('rejects an update of a missing ri with StoreNotFoundError', async () => {
        const s = await fresh();
        await tree(s);
        await expect(s.resources.update(res('nope', 'C', 'cse-in/nope'))).rejects.toBeInstanceOf(StoreNotFoundError);
        expect(await s.resources.getBySrn('cse-in/nope')).toBeUndefined();
      });

      it('refuses to move a resource or change its type', async () => {
        const s = await fresh();
        await tree(s);
        const a1 = (await s.resources.get('A1'))!;
        await expect(s.resources.update({ ...a1, srn: 'cse-in/moved' })).rejects.toThrow(/pi, srn or ty/);
        await expect(s.resources.update({ ...a1, pi: 'A2', srn: 'cse-in/ae2/ae1' })).rejects.toBeInstanceOf(TypeError);
        await expect(s.resources.update({ ...a1, ty: 3 })).rejects.toBeInstanceOf(TypeError);
        await expect(s.resources.update({ ...a1, con: '\u0000' })).rejects.toBeInstanceOf(TypeError);
        expect(await s.resources.get('A1')).toEqual(a1);
      });
    });

    describe('resources: delete', () => {
      it('removes the whole subtree atomically and returns it parent first', async () => {
        const s = await fresh();
        await tree(s);
        const gone = await s.resources.delete('A1');
        expect(ris(gone)).toEqual(['A1', 'N1', 'I1', 'I2', 'I3']);
        expect(gone[0]).toEqual(res('A1', 'C', 'cse-in/ae1', { ct: t(1), lt: t(1), lbl: ['room1', 'floor1'] }));
        for (const ri of ['A1', 'N1', 'I1', 'I2', 'I3']) expect(await s.resources.get(ri)).toBeUndefined();
        expect(ris(await s.resources.descendants('C'))).toEqual(['A2']);
        expect(ris(await s.resources.expired(t(1000), 100))).toEqual(['A2']);
        expect(await s.resources.delete('A1')).toEqual([]);
        expect(await s.resources.delete('never')).toEqual([]);
      });

      it('leaves no stale labels and lets the same ri and srn be created again', async () => {
        const s = await fresh();
        await tree(s);
        await s.resources.delete('A1');
        await s.resources.create(res('A1', 'C', 'cse-in/ae1', { ct: t(1) }));
        expect(await s.resources.descendants('C', { lbl: ['room1', 'floor1', 'floor2'] })).toEqual([]);
        await s.resources.create(res('N1', 'A1', 'cse-in/ae1/cnt1', { lbl: ['floor2'] }));
        expect(ris(await s.resources.descendants('C', { lbl: ['floor2'] }))).toEqual(['N1']);
      });

      it('deletes a leaf and the root', async () => {
        const s = await fresh();
        await tree(s);
        expect(ris(await s.resources.delete('I2'))).toEqual(['I2']);
        expect(ris(await s.resources.children('N1'))).toEqual(['I1', 'I3']);
        // a child stamped before its parent (clock skew) must still come after it
        await s.resources.create(res('B0', 'A2', 'cse-in/ae2/b0', { ct: t(0) }));
        // and a parent rewritten after its children (its new row version lies after theirs)
        await s.resources.update({ ...(await s.resources.get('A2'))!, lt: t(60) });
        await s.resources.update({ ...(await s.resources.get('C'))!, lt: t(60) });
        const all = await s.resources.delete('C');
        expect(all[0]?.ri).toBe('C');
        expect(new Set(ris(all))).toEqual(new Set(['C', 'A1', 'A2', 'N1', 'I1', 'I3', 'B0']));
        // parent first: each resource comes after its parent
        const pos = new Map(all.map((r, i) => [r.ri, i]));
        for (const r of all) if (r.pi !== '') expect(pos.get(r.pi)!).toBeLessThan(pos.get(r.ri)!);
        expect(await s.resources.children('')).toEqual([]);
      });
    });

    describe('resources: children, descendants, countChildren', () => {
      it('lists direct children ordered by ct then ri, ascending or descending', async () => {
        const s = await fresh();
        await tree(s);
        await s.resources.create(res('A0', 'C', 'cse-in/ae0', { ct: t(6) })); // same ct as A2: ri breaks the tie
        expect(ris(await s.resources.children('C'))).toEqual(['A1', 'A0', 'A2']);
        expect(ris(await s.resources.children('C', { order: 'desc' }))).toEqual(['A2', 'A0', 'A1']);
        expect(ris(await s.resources.children('N1', { lvl: 5 }))).toEqual(['I1', 'I2', 'I3']); // lvl ignored
        expect(ris(await s.resources.children(''))).toEqual(['C']);
        expect(await s.resources.children('I1')).toEqual([]);
        expect(await s.resources.children('missing')).toEqual([]);
      });

      it('lists descendants (not the start) ordered by ct, limited by lvl', async () => {
        const s = await fresh();
        await tree(s);
        expect(ris(await s.resources.descendants('C'))).toEqual(['A1', 'N1', 'I1', 'I2', 'I3', 'A2']);
        expect(ris(await s.resources.descendants('C', { order: 'desc' }))).toEqual([
          'A2',
          'I3',
          'I2',
          'I1',
          'N1',
          'A1',
        ]);
        expect(ris(await s.resources.descendants('C', { lvl: 1 }))).toEqual(['A1', 'A2']);
        expect(ris(await s.resources.descendants('C', { lvl: 2 }))).toEqual(['A1', 'N1', 'A2']);
        expect(ris(await s.resources.descendants('A1', { lvl: 2 }))).toEqual(['N1', 'I1', 'I2', 'I3']);
        expect(await s.resources.descendants('C', { lvl: 0 })).toEqual([]);
        expect(await s.resources.descendants('I1')).toEqual([]);
        expect(await s.resources.descendants('missing')).toEqual([]);
      });

      it('orders a subtree by path and pages it by an srn cursor (TS-0004 7.3.3.14, 7.3.3.17.10)', async () => {
        const s = await fresh();
        const r = s.resources;
        await r.create(res('C', '', 'cse-in', { ty: 5 }));
        // ct order (b, a, a/x, c) differs from path order (a, a/x, b, c); 'a-' sorts before 'a/'.
        await r.create(res('B', 'C', 'cse-in/b', { ct: t(1) }));
        await r.create(res('A', 'C', 'cse-in/a', { ct: t(2) }));
        await r.create(res('AX', 'A', 'cse-in/a/x', { ty: 4, ct: t(3) }));
        await r.create(res('AD', 'C', 'cse-in/a-', { ty: 4, ct: t(4) }));
        await r.create(res('K', 'C', 'cse-in/c', { ty: 4, ct: t(5) }));
        expect(ris(await r.descendants('C', { order: 'path' }))).toEqual(['A', 'AD', 'AX', 'B', 'K']);
        expect(ris(await r.descendants('C', { order: 'path', ty: [4], lim: 2 }))).toEqual(['AD', 'AX']);
        expect(ris(await r.descendants('C', { order: 'path', ty: [4], after: 'cse-in/a/x' }))).toEqual(['K']);
        expect(ris(await r.descendants('C', { order: 'path', after: 'cse-in/a', lim: 2 }))).toEqual(['AD', 'AX']);
        expect(ris(await r.descendants('C', { order: 'path', after: 'cse-in/a', ofst: 3 }))).toEqual(['K']);
        expect(ris(await r.descendants('A', { order: 'path' }))).toEqual(['AX']);
        expect(ris(await r.descendants('C', { order: 'path', lvl: 1, ty: [4] }))).toEqual(['AD', 'K']);
        expect(ris(await r.children('C', { order: 'path', after: 'cse-in/a-' }))).toEqual(['B', 'K']);
        await expect(r.descendants('C', { after: 'cse-in/a' })).rejects.toThrow(/after needs order 'path'/);
        await expect(r.descendants('C', { order: 'path', after: 5 as never })).rejects.toBeInstanceOf(TypeError);
      });

      it('keeps a typed subtree query bounded to the subtree among many resources of that type', async () => {
        const s = await fresh();
        const r = s.resources;
        await r.create(res('C', '', 'cse-in', { ty: 5 }));
        await r.create(res('A1', 'C', 'cse-in/ae1'));
        await r.create(res('A2', 'C', 'cse-in/ae2'));
        await r.create(res('N1', 'A1', 'cse-in/ae1/cnt', { ty: 3 }));
        await r.create(res('N2', 'A2', 'cse-in/ae2/cnt', { ty: 3 }));
        await s.transaction(async (tx) => {
          for (let i = 0; i < 300; i++)
            await tx.resources.create(res(`X${i}`, 'N2', `cse-in/ae2/cnt/i${i}`, { ty: 4, ct: t(i) }));
          for (let i = 0; i < 3; i++)
            await tx.resources.create(res(`Y${i}`, 'N1', `cse-in/ae1/cnt/i${i}`, { ty: 4, ct: t(i) }));
        });
        expect(ris(await r.descendants('A1', { ty: [4], lim: 10, order: 'path' }))).toEqual(['Y0', 'Y1', 'Y2']);
        expect(ris(await r.descendants('A1', { ty: [4], lim: 2 }))).toEqual(['Y0', 'Y1']);
        expect((await r.descendants('A2', { ty: [4], lim: 10, order: 'path' })).length).toBe(10);
      });

      it('counts children, optionally of one type', async () => {
        const s = await fresh();
        await tree(s);
        expect(await s.resources.countChildren('C')).toBe(2);
        expect(await s.resources.countChildren('N1')).toBe(3);
        expect(await s.resources.countChildren('N1', 4)).toBe(3);
        expect(await s.resources.countChildren('N1', 3)).toBe(0);
        expect(await s.resources.countChildren('')).toBe(1);
        expect(await s.resources.countChildren('', 5)).toBe(1);
        expect(await s.resources.countChildren('missing')).toBe(0);
        await expect(s.resources.countChildren('C', 1.5)).rejects.toBeInstanceOf(TypeError);
      });
    });

    describe('resources: query conditions (TS-0004 7.3.3.17)', () => {
      // descendants of C: A1 ct1 lt1 no-et [room1 floor1]; N1 ty3 ct2 lt5 et100; I1 ty4 ct3 et10 [floor2];
      // I2 ty4 ct4 et20 [floor1]; I3 ty4 ct5 et30 [floor2]; A2 ct6 lt9 et50 [room2]
      const cases: Array<[string, Record<string, unknown>, string[]]> = [
        ['ty one', { ty: [4] }, ['I1', 'I2', 'I3']],
        ['ty any-of', { ty: [3, 2] }, ['A1', 'N1', 'A2']],
        ['ty none match', { ty: [99] }, []],
        ['ty empty list', { ty: [] }, []],
        ['lbl any-of', { lbl: ['floor1', 'room2'] }, ['A1', 'I2', 'A2']],
        ['lbl one', { lbl: ['floor2'] }, ['I1', 'I3']],
        ['lbl empty list', { lbl: [] }, []],
        ['cra inclusive', { cra: t(4) }, ['I2', 'I3', 'A2']],
        ['crb exclusive', { crb: t(3) }, ['A1', 'N1']],
        ['cra + crb', { cra: t(2), crb: t(5) }, ['N1', 'I1', 'I2']],
        ['cra >= crb matches nothing', { cra: t(4), crb: t(4) }, []],
        ['exa inclusive, no et never', { exa: t(30) }, ['N1', 'I3', 'A2']],
        ['exb exclusive, no et never', { exb: t(20) }, ['I1']],
        ['exa + exb', { exa: t(10), exb: t(50) }, ['I1', 'I2', 'I3']],
        ['ms inclusive', { ms: t(5) }, ['N1', 'I3', 'A2']],
        ['us exclusive', { us: t(4) }, ['A1', 'I1']],
        ['ms + us', { ms: t(3), us: t(9) }, ['N1', 'I1', 'I2', 'I3']],
        ['ty + lbl', { ty: [4], lbl: ['floor1'] }, ['I2']],
        ['ty + lbl + cra', { ty: [4, 2], lbl: ['floor2', 'room1', 'room2'], cra: t(4) }, ['I3', 'A2']],
        ['lvl + ty', { lvl: 2, ty: [3] }, ['N1']],
        ['lim', { lim: 2 }, ['A1', 'N1']],
        ['lim 0', { lim: 0 }, []],
        ['ofst', { ofst: 4 }, ['I3', 'A2']],
        ['lim + ofst', { lim: 2, ofst: 2 }, ['I1', 'I2']],
        ['ofst past the end', { ofst: 10 }, []],
        ['desc + lim (latest)', { ty: [4], order: 'desc', lim: 1 }, ['I3']],
        ['desc + lim + ofst', { order: 'desc', lim: 2, ofst: 1 }, ['I3', 'I2']],
        [
          'everything',
          {
            ty: [4],
            lbl: ['floor1', 'floor2'],
            cra: t(3),
            crb: t(6),
            exa: t(10),
            exb: t(31),
            ms: t(3),
            us: t(6),
            lvl: 3,
            lim: 5,
            ofst: 1,
            order: 'asc',
          },
          ['I2', 'I3'],
        ],
        ['undefined values are absent', { ty: undefined, lim: undefined }, ['A1', 'N1', 'I1', 'I2', 'I3', 'A2']],
      ];
      for (const [label, q, expected] of cases) {
        it(`descendants ${label}`, async () => {
          const s = await fresh();
          await tree(s);
          expect(ris(await s.resources.descendants('C', q))).toEqual(expected);
        });
      }

      it('applies the same conditions to children', async () => {
        const s = await fresh();
        await tree(s);
        expect(ris(await s.resources.children('N1', { lbl: ['floor2'], order: 'desc' }))).toEqual(['I3', 'I1']);
        expect(ris(await s.resources.children('N1', { cra: t(4), exb: t(30) }))).toEqual(['I2']);
        expect(ris(await s.resources.children('N1', { ty: [4], order: 'desc', lim: 1 }))).toEqual(['I3']);
        expect(ris(await s.resources.children('N1', { ms: t(4), us: t(5), ofst: 0 }))).toEqual(['I2']);
        expect(ris(await s.resources.children('C', { ty: [2], exa: t(0) }))).toEqual(['A2']);
      });

      it('rejects malformed queries with TypeError', async () => {
        const s = await fresh();
        await tree(s);
        const bad = [
          { sts: 3 },
          { lim: -1 },
          { ofst: 1.5 },
          { lvl: '2' },
          { ty: ['4'] },
          { ty: 4 },
          { lbl: 'floor1' },
          { cra: 5 },
          { ms: 'a\u0000' },
          { order: 'newest' },
          { after: 'cse-in/ae1' },
        ];
        for (const q of bad) {
          await expect(s.resources.descendants('C', q as never)).rejects.toBeInstanceOf(TypeError);
          await expect(s.resources.children('C', q as never)).rejects.toBeInstanceOf(TypeError);
        }
        await expect(s.resources.descendants('C', { sts: 3 } as never)).rejects.toThrow(/unknown condition 'sts'/);
      });
    });

    describe('resources: expired', () => {
      it('returns resources whose et is before now, oldest first, at most limit', async () => {
        const s = await fresh();
        await tree(s);
        expect(ris(await s.resources.expired(t(30), 10))).toEqual(['I1', 'I2']); // et 30 is not before 30
        expect(ris(await s.resources.expired(t(31), 10))).toEqual(['I1', 'I2', 'I3']);
        expect(ris(await s.resources.expired(t(1000), 2))).toEqual(['I1', 'I2']);
        expect(ris(await s.resources.expired(t(1000), 10))).toEqual(['I1', 'I2', 'I3', 'A2', 'N1']);
        expect(await s.resources.expired(t(10), 10)).toEqual([]);
        expect(await s.resources.expired(t(1000), 0)).toEqual([]);
        await expect(s.resources.expired(t(1), -1)).rejects.toBeInstanceOf(TypeError);
      });
    });

    describe('transactions', () => {
      it('commits all writes together and returns the result', async () => {
        const s = await fresh();
        const out = await s.transaction(async (tx) => {
          await tx.resources.create(res('C', '', 'cse-in', { ty: 5 }));
          await tx.resources.create(res('A1', 'C', 'cse-in/ae1'));
          await tx.collection('c').put('k', { v: 1 });
          expect((await tx.resources.get('A1'))?.srn).toBe('cse-in/ae1'); // reads its own writes
          return 42;
        });
        expect(out).toBe(42);
        expect(ris(await s.resources.descendants('C'))).toEqual(['A1']);
        expect(await s.collection('c').get('k')).toEqual({ v: 1 });
      });

      it('rolls back everything when fn throws and rethrows the same error', async () => {
        const s = await fresh();
        await tree(s);
        const boom = new Error('boom');
        const err = await s
          .transaction(async (tx) => {
            await tx.resources.create(res('A3', 'C', 'cse-in/ae3'));
            await tx.resources.update({ ...(await tx.resources.get('A2'))!, lt: t(99) });
            expect(ris(await tx.resources.delete('A1'))).toHaveLength(5);
            await tx.collection('c').put('k', 1);
            throw boom;
          })
          .catch((e) => e);
        expect(err).toBe(boom);
        expect(await s.resources.get('A3')).toBeUndefined();
        expect((await s.resources.get('A2'))?.lt).toBe(t(9));
        expect(ris(await s.resources.descendants('A1'))).toEqual(['N1', 'I1', 'I2', 'I3']);
        expect(await s.resources.descendants('C', { lbl: ['floor1'] })).toHaveLength(2);
        expect(await s.collection('c').get('k')).toBeUndefined();
      });

      it('rolls back when a store error escapes fn, and the next transaction works', async () => {
        const s = await fresh();
        await tree(s);
        await expect(
          s.transaction(async (tx) => {
            await tx.resources.create(res('A3', 'C', 'cse-in/ae3'));
            await tx.resources.create(res('A4', 'C', 'cse-in/ae1')); // srn conflict
          }),
        ).rejects.toBeInstanceOf(StoreConflictError);
        expect(await s.resources.get('A3')).toBeUndefined();
        await s.transaction(async (tx) => {
          await tx.resources.create(res('A3', 'C', 'cse-in/ae3'));
        });
        expect((await s.resources.get('A3'))?.srn).toBe('cse-in/ae3');
        // a caught error inside fn does not doom the transaction
        await s.transaction(async (tx) => {
          await expect(tx.resources.create(res('A3', 'C', 'cse-in/ae3'))).rejects.toBeInstanceOf(StoreConflictError);
          await tx.resources.create(res('A4', 'C', 'cse-in/ae4'));
        });
        expect((await s.resources.get('A4'))?.srn).toBe('cse-in/ae4');
      });

      it('serializes concurrent transactions (no lost read-modify-write updates)', async () => {
        const s = await fresh();
        const c = s.collection<number>('counter');
        await c.put('n', 0);
        const n = 12;
        const order: string[] = [];
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            s
              .transaction(async (tx) => {
                order.push(`begin${i}`);
                const v = (await tx.collection<number>('counter').get('n'))!;
                await sleep(1);
                await tx.collection<number>('counter').put('n', v + 1);
                order.push(`end${i}`);
                if (i % 3 === 0) throw new Error('every third fails');
              })
              .catch(() => undefined),
          ),
        );
        expect(await c.get('n')).toBe(n - Math.ceil(n / 3));
        for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]?.replace('begin', 'end'));
      });

      it('does not let outside calls see uncommitted writes', async () => {
        const s = await fresh();
        await tree(s);
        let release!: () => void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        let created!: () => void;
        const wrote = new Promise<void>((r) => {
          created = r;
        });
        const txp = s.transaction(async (tx) => {
          await tx.resources.create(res('A9', 'C', 'cse-in/ae9'));
          created();
          await held;
          throw new Error('abort');
        });
        await wrote;
        const seen = s.resources.get('A9');
        const seenBySrn = s.resources.getBySrn('cse-in/ae9');
        release();
        await expect(txp).rejects.toThrow('abort');
        expect(await seen).toBeUndefined();
        expect(await seenBySrn).toBeUndefined();
      });

      it('rejects use of the outer store inside fn instead of deadlocking', async () => {
        const s = await fresh();
        await expect(
          s.transaction(async () => {
            await s.resources.get('x');
          }),
        ).rejects.toThrow(/use the tx handle/);
        await expect(
          s.transaction(async () => {
            await s.transaction(async () => 1);
          }),
        ).rejects.toThrow(/use the tx handle/);
        expect(await s.transaction(async (tx) => (await tx.resources.get('x')) ?? 'ok')).toBe('ok');
      });

      it('checks serializeOn keys as it checks every other key (same input refused on both stores)', async () => {
        const s = await fresh();
        for (const bad of [[''], ['a\u0000'], ['\uD800'], [5], 'key'] as unknown[]) {
          await expect(
            s.transaction(async (tx) => tx.collection('c').put('k', 1), { serializeOn: bad as string[] }),
          ).rejects.toBeInstanceOf(TypeError);
        }
        expect(await s.collection('c').get('k')).toBeUndefined();
        const keys = ['cnt1', 'cnt2', 'cnt1'];
        expect(
          await s.transaction(async (tx) => tx.collection('c').put('k', 2), { serializeOn: keys }),
        ).toBeUndefined();
        expect(await s.transaction(async () => 'empty', { serializeOn: [] })).toBe('empty');
        expect(await s.collection('c').get('k')).toBe(2);
      });

      it('refuses a tx handle used after its transaction ended', async () => {
        const s = await fresh();
        const handle = await s.transaction(async (tx) => tx);
        await expect(handle.resources.get('x')).rejects.toThrow(/transaction has ended/);
        await expect(handle.collection('c').put('k', 1)).rejects.toThrow(/transaction has ended/);
        expect(await s.collection('c').get('k')).toBeUndefined();
      });
    });

    describe('durability and sharing', () => {
      const { reopen, twin } = h;
      it.runIf(Boolean(reopen))('keeps resources, labels and collections across close and reopen', async () => {
        const s = await fresh();
        await tree(s);
        await s.collection('audit').put('2024/1', { who: 'Cae1', what: 'create' });
        await s.transaction(async (tx) => {
          await tx.resources.create(res('A5', 'C', 'cse-in/ae5', { ct: t(7), lbl: ['ünï'] }));
        });
        const before = await s.resources.descendants('C');
        open.splice(open.indexOf(s), 1);
        const again = track(await reopen!(s));
        expect(await again.resources.descendants('C')).toEqual(before);
        expect(ris(await again.resources.descendants('C', { lbl: ['ünï', 'room2'] }))).toEqual(['A2', 'A5']);
        expect(await again.collection('audit').list('2024/')).toEqual([
          { key: '2024/1', value: { who: 'Cae1', what: 'create' } },
        ]);
        await expect(again.resources.create(res('A5', 'C', 'cse-in/ae5'))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it.runIf(Boolean(twin))(
        'relies on the database, not process memory, for conflicts between instances',
        async () => {
          const s = await fresh();
          await tree(s);
          const other = track(await twin!(s));
          expect((await other.resources.getBySrn('cse-in/ae1'))?.ri).toBe('A1');
          const attempts = await Promise.allSettled([
            s.resources.create(res('P1', 'C', 'cse-in/same')),
            other.resources.create(res('P2', 'C', 'cse-in/same')),
            s.resources.create(res('Q', 'C', 'cse-in/q1')),
            other.resources.create(res('Q', 'C', 'cse-in/q2')),
          ]);
          expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
          for (const a of attempts.filter((x) => x.status === 'rejected')) {
            expect((a as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflictError);
          }
          expect(await other.collection('c').insert('nonce', 1)).toBe(true);
          expect(await s.collection('c').insert('nonce', 2)).toBe(false);
          await other.resources.delete('A1');
          expect(await s.resources.get('N1')).toBeUndefined();
          await expect(s.resources.create(res('N9', 'A1', 'cse-in/ae1/n9'))).rejects.toBeInstanceOf(StoreNotFoundError);
        },
      );

      // (SQLite covers this with two processes in crash.test.ts.)
      if (twin && h.interleavedTwinTransactions) {
        it('serializes read-modify-write transactions across instances', async () => {
          const s = await fresh();
          const other = track(await twin(s));
          await s.collection<number>('counter').put('n', 0);
          const bump = (st: Store) =>
            st.transaction(async (tx) => {
              const v = (await tx.collection<number>('counter').get('n'))!;
              await sleep(2);
              await tx.collection<number>('counter').put('n', v + 1);
            });
          await Promise.all(Array.from({ length: 8 }, (_, i) => bump(i % 2 ? s : other)));
          expect(await s.collection<number>('counter').get('n')).toBe(8);
        });
      }

      it('refuses calls after close', async () => {
        const s = await h.open();
        await s.close();
        await expect(s.resources.get('x')).rejects.toThrow(/closed/);
        await expect(s.collection('c').get('k')).rejects.toThrow(/closed/);
        await expect(s.transaction(async () => 1)).rejects.toThrow(/closed/);
        await s.close(); // idempotent
      });
    });
  });
}
