// Resource operations of the in-memory store, synchronous (the facade wraps them in promises). The same
// checks and semantics as the SQLite and PostgreSQL stores (test/contract.ts): the ri/pi tree and the srn
// tree kept identical, subtree = srn range, half-open filters, (ct, ri) order. Each write records the row
// it replaced in the transaction's journal, so a rollback restores rows and indexes exactly.
import { checkLimit } from '../lib/check-limit.js';
import { checkQuery } from '../lib/check-query.js';
import { checkResource, type ResourceRow } from '../lib/check-resource.js';
import { checkText } from '../lib/check-text.js';
import { compareCodePoints } from '../lib/compare-code-points.js';
import type { ResourceOps } from '../lib/facade.js';
import { isInt32 } from '../lib/is-int32.js';
import { lookupKey } from '../lib/lookup-key.js';
import type { Pair } from '../lib/sorted.js';
import { type ResourceQuery, StoreConflictError, type StoredResource, StoreNotFoundError } from '../types.js';
import { runQuery, type Source } from './query-plan.js';
import { type ResourceTree, ROOTS, rangeOf } from './resource-tree.js';

/** Undo records of one transaction, run in reverse on rollback. */
export type Journal = Array<() => void>;

const parse = (r: ResourceRow) => JSON.parse(r.doc) as StoredResource;

export class MemoryResourceOps implements ResourceOps {
  constructor(
    private readonly tree: ResourceTree,
    private readonly journal: Journal | undefined,
  ) {}

  get(ri: string): StoredResource | undefined {
    const key = lookupKey(ri, 'ri');
    const row = key === null ? undefined : this.tree.rows.get(key);
    return row && parse(row);
  }

  getBySrn(srn: string): StoredResource | undefined {
    const key = lookupKey(srn, 'srn');
    const ri = key === null ? undefined : this.tree.riOfSrn(key);
    return ri === undefined ? undefined : parse(this.tree.rows.get(ri)!);
  }

  children(pi: string, q?: ResourceQuery): StoredResource[] {
    const query = checkQuery(q);
    const key = lookupKey(pi, 'pi');
    if (key === null) return [];
    const parent = key === ROOTS ? null : key;
    const sources = [...this.#childSources(key, query), ...this.#labelSources(query)];
    return runQuery(sources, (r) => r.pi === parent, query).map(parse);
  }

  descendants(ri: string, q?: ResourceQuery): StoredResource[] {
    const query = checkQuery(q);
    const key = lookupKey(ri, 'ri');
    const base = key === null ? undefined : this.tree.rows.get(key);
    if (base === undefined) return [];
    // Descendants of 'a/b' are exactly the srns in ['a/b/', 'a/b0'): '0' follows '/' in code point order.
    // A cursor moves the lower bound: the smallest text after `after` is `after` + U+0000, which no srn holds.
    const lo = `${base.srn}/`;
    const from = query.after !== undefined && compareCodePoints(query.after, lo) >= 0 ? `${query.after}\u0000` : lo;
    const below = `${base.srn}0`;
    const maxLvl = query.lvl === undefined ? Number.POSITIVE_INFINITY : base.lvl + query.lvl;
    const inSubtree = (r: ResourceRow) =>
      r.lvl <= maxLvl && compareCodePoints(r.srn, lo) >= 0 && compareCodePoints(r.srn, below) < 0;
    const sources = [this.#pathSource(this.tree.paths, from, below), ...this.#labelSources(query)];
    if (query.ty !== undefined) {
      const ranges = [...new Set(query.ty)].map((ty) => this.#pathSource(this.tree.typed(ty), from, below));
      sources.push(ranges.length === 1 ? ranges[0]! : concat(ranges));
    }
    // Children only: the parent's (ct, ri) lists, which also give the default order without a sort.
    if (query.lvl === 1) sources.push(...this.#childSources(base.ri, query));
    return runQuery(sources, inSubtree, query).map(parse);
  }

  countChildren(pi: string, ty?: number): number {
    const key = lookupKey(pi, 'pi');
    if (key === null) return 0;
    if (ty !== undefined && !isInt32(ty)) throw new TypeError('ty must be an integer (32-bit)');
    return this.tree.children(key, ty).length;
  }

  create(r: StoredResource): void {
    const row = checkResource(r);
    if (this.tree.rows.has(row.ri) || this.tree.riOfSrn(row.srn) !== undefined) {
      throw new StoreConflictError(`resource ri ${row.ri} or srn ${row.srn} already exists`);
    }
    if (row.pi !== null && this.tree.rows.get(row.pi)?.srn !== row.parentSrn) {
      throw new StoreNotFoundError(`parent resource ${row.pi} with srn ${row.parentSrn} not found`);
    }
    this.#write(row.ri, row);
  }

  update(r: StoredResource): void {
    const row = checkResource(r);
    const old = this.tree.rows.get(row.ri);
    if (old === undefined) throw new StoreNotFoundError(`resource ${row.ri} not found`);
    if (old.pi !== row.pi || old.srn !== row.srn || old.ty !== row.ty) {
      throw new TypeError(`update of resource ${row.ri} would change its pi, srn or ty`);
    }
    this.#write(row.ri, row);
  }

  delete(ri: string): StoredResource[] {
    const key = lookupKey(ri, 'ri');
    const base = key === null ? undefined : this.tree.rows.get(key);
    if (base === undefined) return [];
    const paths = this.tree.paths;
    const [i, j] = rangeOf(paths, `${base.srn}/`, `${base.srn}0`);
    const below = paths.slice(i, j).map((srn) => this.tree.rows.get(this.tree.riOfSrn(srn)!)!);
    // Parent first, as the databases return it: by depth, then ct, then ri.
    below.sort((a, b) => a.lvl - b.lvl || compareCodePoints(a.ct, b.ct) || compareCodePoints(a.ri, b.ri));
    const gone = [base, ...below];
    for (const r of gone) this.#write(r.ri, undefined);
    return gone.map(parse);
  }

  expired(now: string, limit: number): StoredResource[] {
    checkText(now, 'now');
    const lim = checkLimit(limit, 'limit') ?? 0;
    const out: StoredResource[] = [];
    for (const [et, ri] of this.tree.expiry) {
      if (out.length >= lim || compareCodePoints(et, now) >= 0) break;
      out.push(parse(this.tree.rows.get(ri)!));
    }
    return out;
  }

  #write(ri: string, row: ResourceRow | undefined): void {
    const old = this.tree.rows.get(ri);
    this.journal?.push(() => this.tree.set(ri, old));
    this.tree.set(ri, row);
  }

  /** The sorted srns of `paths` in [from, below), as rows in srn order. */
  #pathSource(paths: readonly string[], from: string, below: string): Source {
    const [i, j] = compareCodePoints(from, below) < 0 ? rangeOf(paths, from, below) : [0, 0];
    const tree = this.tree;
    return {
      cost: j - i,
      order: 'srn',
      *rows() {
        for (let k = i; k < j; k++) yield tree.rows.get(tree.riOfSrn(paths[k]!)!)!;
      },
    };
  }

  /** The children of `pi` from its (ct, ri) lists: one list per type asked for, or all of them. */
  #childSources(pi: string, q: ResourceQuery): Source[] {
    const all = this.#pairSource(this.tree.children(pi));
    if (q.ty === undefined) return [all];
    const lists = [...new Set(q.ty)].map((ty) => this.#pairSource(this.tree.children(pi, ty)));
    return [all, lists.length === 1 ? lists[0]! : concat(lists)];
  }

  #pairSource(pairs: readonly Pair[]): Source {
    const rows = this.tree.rows;
    return {
      cost: pairs.length,
      order: 'ct',
      *rows(reverse) {
        if (reverse) for (let k = pairs.length - 1; k >= 0; k--) yield rows.get(pairs[k]![1])!;
        else for (const p of pairs) yield rows.get(p[1])!;
      },
    };
  }

  /** The resources carrying any of the labels asked for (the label index), each once. */
  #labelSources(q: ResourceQuery): Source[] {
    if (q.lbl === undefined) return [];
    const sets = [...new Set(q.lbl)].map((l) => this.tree.labelled(l));
    const rows = this.tree.rows;
    return [
      {
        cost: sets.reduce((n, s) => n + s.size, 0),
        order: 'none',
        *rows() {
          const seen = new Set<string>();
          for (const s of sets) {
            for (const ri of s) {
              if (seen.has(ri)) continue;
              seen.add(ri);
              yield rows.get(ri)!;
            }
          }
        },
      },
    ];
  }
}

/** Several disjoint sources read one after the other (no common order). */
function concat(sources: Source[]): Source {
  return {
    cost: sources.reduce((n, s) => n + s.cost, 0),
    order: 'none',
    *rows() {
      for (const s of sources) yield* s.rows(false);
    },
  };
}
