// The in-memory resource table and its indexes, the same ones the SQLite schema declares (sqlite/schema.ts):
// ri (primary key), srn (unique, and ordered for subtree ranges), (pi, ty, ct, ri) for children, (ty, srn)
// for a typed subtree, labels, and et for expiry sweeps. `set` is the only write and keeps every index in
// step with the rows, so a rollback that restores old rows through it restores the indexes too.
import type { ResourceRow } from '../lib/check-resource.js';
import { compareCodePoints } from '../lib/compare-code-points.js';
import { comparePairs, insertSorted, lowerBound, type Pair, removeSorted } from '../lib/sorted.js';

/** Children of one parent in (ct, ri) order: all of them, and per type. */
interface ChildLists {
  all: Pair[];
  byTy: Map<number, Pair[]>;
}

/** Key of the children lists of the roots (pi null): no ri is empty (checkResource). */
export const ROOTS = '';

export class ResourceTree {
  readonly rows = new Map<string, ResourceRow>();
  readonly #bySrn = new Map<string, string>();
  /** Every srn in code point order: a subtree is the range ['a/b/', 'a/b0'). */
  readonly paths: string[] = [];
  /** Per type, its srns in code point order: a typed subtree query is one range (the (ty, srn) index). */
  readonly #typed = new Map<number, string[]>();
  readonly #children = new Map<string, ChildLists>();
  readonly #labels = new Map<string, Set<string>>();
  /** (et, ri) of the resources with an expiry, soonest first. */
  readonly expiry: Pair[] = [];

  riOfSrn(srn: string): string | undefined {
    return this.#bySrn.get(srn);
  }

  /** The srns of type `ty` in code point order (empty if none). */
  typed(ty: number): readonly string[] {
    return this.#typed.get(ty) ?? [];
  }

  /** Children of `pi` (ROOTS for the roots) in (ct, ri) order, all or of one type. */
  children(pi: string, ty?: number): readonly Pair[] {
    const lists = this.#children.get(pi);
    if (!lists) return [];
    return ty === undefined ? lists.all : (lists.byTy.get(ty) ?? []);
  }

  /** The ris carrying label `lbl`. */
  labelled(lbl: string): ReadonlySet<string> {
    return this.#labels.get(lbl) ?? EMPTY;
  }

  /** Replaces (row given) or removes (undefined) the resource `ri`, with every index. */
  set(ri: string, row: ResourceRow | undefined): void {
    const old = this.rows.get(ri);
    if (old) this.#unindex(old);
    if (row) {
      this.rows.set(ri, row);
      this.#index(row);
    } else this.rows.delete(ri);
  }

  clear(): void {
    this.rows.clear();
    this.#bySrn.clear();
    this.paths.length = 0;
    this.#typed.clear();
    this.#children.clear();
    this.#labels.clear();
    this.expiry.length = 0;
  }

  #index(r: ResourceRow): void {
    this.#bySrn.set(r.srn, r.ri);
    insertSorted(this.paths, r.srn, compareCodePoints);
    insertSorted(
      entry(this.#typed, r.ty, () => []),
      r.srn,
      compareCodePoints,
    );
    const lists = entry(this.#children, r.pi ?? ROOTS, () => ({ all: [], byTy: new Map() }));
    const ct: Pair = [r.ct, r.ri];
    insertSorted(lists.all, ct, comparePairs);
    insertSorted(
      entry(lists.byTy, r.ty, () => []),
      ct,
      comparePairs,
    );
    for (const l of r.lbl) entry(this.#labels, l, () => new Set()).add(r.ri);
    if (r.et !== null) insertSorted(this.expiry, [r.et, r.ri], comparePairs);
  }

  #unindex(r: ResourceRow): void {
    this.#bySrn.delete(r.srn);
    removeSorted(this.paths, r.srn, compareCodePoints);
    const typed = this.#typed.get(r.ty)!;
    removeSorted(typed, r.srn, compareCodePoints);
    if (typed.length === 0) this.#typed.delete(r.ty);
    const pk = r.pi ?? ROOTS;
    const lists = this.#children.get(pk)!;
    const ct: Pair = [r.ct, r.ri];
    removeSorted(lists.all, ct, comparePairs);
    const ofTy = lists.byTy.get(r.ty)!;
    removeSorted(ofTy, ct, comparePairs);
    if (ofTy.length === 0) lists.byTy.delete(r.ty);
    if (lists.all.length === 0) this.#children.delete(pk);
    for (const l of r.lbl) {
      const set = this.#labels.get(l)!;
      set.delete(r.ri);
      if (set.size === 0) this.#labels.delete(l);
    }
    if (r.et !== null) removeSorted(this.expiry, [r.et, r.ri], comparePairs);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The value of `key` in `map`, created by `make` when absent. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** The positions [from, to) of the strings in sorted `xs` with from <= s < below. */
export function rangeOf(xs: readonly string[], from: string, below: string): [number, number] {
  return [lowerBound(xs, from, compareCodePoints), lowerBound(xs, below, compareCodePoints)];
}
