// The in-memory resource store reads its indexes, never the whole table, where the databases use an index
// (sqlite.test.ts / postgres.test.ts show their plans): a typed subtree, a container's latest instance, a
// label query, an expiry sweep, a subtree delete. Rows read are counted on the store's own row map among
// 20,000 resources that none of these queries should touch.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResourceRow } from '../src/lib/check-resource.js';
import { ResourceTree } from '../src/memory/resource-tree.js';
import { MemoryResourceOps } from '../src/memory/resources.js';
import { res, t } from './contract.js';

const BULK = 20_000;
const tree = new ResourceTree();
const ops = new MemoryResourceOps(tree, undefined);
let reads = 0;

beforeAll(() => {
  ops.create(res('C', '', 'cse-in', { ty: 5 }));
  ops.create(res('A1', 'C', 'cse-in/ae1'));
  ops.create(res('A2', 'C', 'cse-in/ae2'));
  ops.create(res('N1', 'A1', 'cse-in/ae1/cnt', { ty: 3 }));
  ops.create(res('N2', 'A2', 'cse-in/ae2/cnt', { ty: 3 }));
  for (let i = 0; i < 3; i++) ops.create(res(`Y${i}`, 'N1', `cse-in/ae1/cnt/y${i}`, { ty: 4, ct: t(i) }));
  for (let i = 0; i < BULK; i++) {
    const n = String(i).padStart(5, '0');
    ops.create(res(`X${n}`, 'N2', `cse-in/ae2/cnt/x${n}`, { ty: 4, ct: t(i), et: t(1000 + i), lbl: ['bulk'] }));
  }
  ops.create(res('R', 'N2', 'cse-in/ae2/cnt/rare', { ty: 4, ct: t(BULK), lbl: ['rare'] }));
  const get = tree.rows.get.bind(tree.rows);
  tree.rows.get = (ri: string): ResourceRow | undefined => {
    reads++;
    return get(ri);
  };
});

/** The result of `fn` and the rows it read. */
function counted<T>(fn: () => T): { out: T; reads: number } {
  reads = 0;
  const out = fn();
  return { out, reads };
}
const ris = (rs: Array<{ ri: string }>) => rs.map((r) => r.ri);

describe('memory resource store: indexed reads (no walk of the 20,000 instances)', () => {
  it('serves a typed query from the (ty, srn) ranges, bounded to the subtree', () => {
    const typed = counted(() => ops.descendants('C', { ty: [3] }));
    expect(ris(typed.out)).toEqual(['N1', 'N2']);
    expect(typed.reads).toBeLessThanOrEqual(3); // the base and two rows of type 3
    const sub = counted(() => ops.descendants('A1', { ty: [4], lim: 10, order: 'path' }));
    expect(ris(sub.out)).toEqual(['Y0', 'Y1', 'Y2']);
    expect(sub.reads).toBeLessThanOrEqual(4);
  });

  it('answers a page of a large subtree by path reading about the page', () => {
    const page = counted(() =>
      ops.descendants('A2', { ty: [4], lim: 10, order: 'path', after: 'cse-in/ae2/cnt/x00100' }),
    );
    expect(ris(page.out)[0]).toBe('X00101');
    expect(page.out).toHaveLength(10);
    expect(page.reads).toBeLessThanOrEqual(11);
  });

  it("reads one row for a container's latest and oldest instance (GET la / ol) and none to count", () => {
    const la = counted(() => ops.children('N2', { ty: [4], order: 'desc', lim: 1 }));
    expect(ris(la.out)).toEqual(['R']);
    expect(la.reads).toBe(1);
    const ol = counted(() => ops.children('N2', { ty: [4], lim: 1 }));
    expect(ris(ol.out)).toEqual(['X00000']);
    expect(ol.reads).toBe(1);
    const n = counted(() => ops.countChildren('N2', 4));
    expect(n.out).toBe(BULK + 1);
    expect(n.reads).toBe(0);
  });

  it('drives a label query from the label index', () => {
    const rare = counted(() => ops.descendants('C', { lbl: ['rare'] }));
    expect(ris(rare.out)).toEqual(['R']);
    expect(rare.reads).toBeLessThanOrEqual(2);
    const kids = counted(() => ops.children('N2', { lbl: ['rare', 'none'] }));
    expect(ris(kids.out)).toEqual(['R']);
    expect(kids.reads).toBeLessThanOrEqual(1);
  });

  it('sweeps expiry from the et index and reads by ri and srn directly', () => {
    const swept = counted(() => ops.expired(t(1003), 100));
    expect(ris(swept.out)).toEqual(['X00000', 'X00001', 'X00002']);
    expect(swept.reads).toBe(3);
    expect(counted(() => ops.getBySrn('cse-in/ae2/cnt/x12345')).reads).toBe(1);
    expect(counted(() => ops.get('X12345')).reads).toBe(1);
  });

  it('deletes a small subtree reading that subtree only', () => {
    const gone = counted(() => ops.delete('A1'));
    expect(ris(gone.out)).toEqual(['A1', 'N1', 'Y0', 'Y1', 'Y2']);
    expect(gone.reads).toBeLessThanOrEqual(3 * 5); // a few lookups per deleted row, none elsewhere
    expect(counted(() => ops.descendants('C', { ty: [3] })).out).toHaveLength(1);
  });
});
