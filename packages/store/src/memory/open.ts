// The in-memory CollectionStore: keyed collections with the same secondary indexes, transactions and
// events as the SQLite and PostgreSQL stores, held in this process only (tests, single-process
// deployments that keep no state across restarts). It passes the same collection contract
// (test/collection-contract.ts). Each collection keeps its keys and every index as sorted arrays, so
// get/find/range/list cost a binary search plus the entries they return, as the databases' B-trees do.
import { LocalEventBus, PendingEvents } from '../events/local-bus.js';
import { checkLimit } from '../lib/check-limit.js';
import { checkText } from '../lib/check-text.js';
import { compareCodePoints } from '../lib/compare-code-points.js';
import { type CollectionOps, collectionFacade, type Run, txRun } from '../lib/facade.js';
import { Gate } from '../lib/gate.js';
import { GroupCommit, type Queued } from '../lib/group-commit.js';
import { IndexRegistry, SLOTS } from '../lib/indexes.js';
import { lookupKey } from '../lib/lookup-key.js';
import { prefixUpperBound } from '../lib/prefix-bound.js';
import { toJson } from '../lib/to-json.js';
import {
  type CollectionOptions,
  type CollectionStore,
  type CollectionTransaction,
  type Entry,
  StoreConflictError,
  type TransactionOptions,
} from '../types.js';

type Row = { json: string; ix: Array<string | null> };
type Pair = readonly [indexValue: string, key: string];

const comparePairs = (a: Pair, b: Pair) => compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);

/** First position in sorted `xs` whose element is not below `x`. */
function lowerBound<X>(xs: readonly X[], x: X, cmp: (a: X, b: X) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(xs[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Table {
  readonly rows = new Map<string, Row>();
  readonly keys: string[] = [];
  readonly slots: Pair[][] = SLOTS.map(() => []);

  /** Replaces (or removes, row undefined) the row of `key`, keeping every sorted array in step. */
  set(key: string, row: Row | undefined): void {
    const old = this.rows.get(key);
    if (old) {
      old.ix.forEach((v, i) => {
        if (v === null) return;
        const list = this.slots[i]!;
        list.splice(lowerBound(list, [v, key], comparePairs), 1);
      });
      if (!row) this.keys.splice(lowerBound(this.keys, key, compareCodePoints), 1);
    } else if (row) this.keys.splice(lowerBound(this.keys, key, compareCodePoints), 0, key);
    if (!row) {
      this.rows.delete(key);
      return;
    }
    this.rows.set(key, row);
    row.ix.forEach((v, i) => {
      if (v === null) return;
      const list = this.slots[i]!;
      list.splice(lowerBound(list, [v, key], comparePairs), 0, [v, key]);
    });
  }

  /** Whether unique slot `i` holds `value` for a key other than `key`. */
  taken(i: number, value: string, key: string): boolean {
    const list = this.slots[i]!;
    const at = lowerBound(list, [value, ''], comparePairs);
    for (let j = at; j < list.length && list[j]![0] === value; j++) if (list[j]![1] !== key) return true;
    return false;
  }

  entry<T>(key: string): Entry<T> {
    return { key, value: JSON.parse(this.rows.get(key)!.json) as T };
  }
}

/** Undo records of one transaction: the rows it replaced, restored in reverse on rollback. */
type Journal = Array<{ table: Table; key: string; row: Row | undefined }>;

function memoryCollection<T>(
  table: Table,
  name: string,
  registry: IndexRegistry,
  journal: Journal | undefined,
): CollectionOps<T> {
  checkText(name, 'collection name');
  const write = (key: string, row: Row | undefined) => {
    journal?.push({ table, key, row: table.rows.get(key) });
    table.set(key, row);
  };
  const row = (key: string, value: T): Row => {
    const json = toJson(value, `value of ${name}/${key}`);
    const ix = registry.of(name).values(value);
    const u = SLOTS.indexOf('u1');
    const uv = ix[u];
    if (uv !== null && uv !== undefined && table.taken(u, uv, key)) {
      throw new StoreConflictError(`${name}/${key}: a unique index value is already taken`);
    }
    return { json, ix };
  };
  const slotOf = (index: string) => SLOTS.indexOf(registry.of(name).get(index).slot);
  return {
    get(key) {
      const k = lookupKey(key, 'collection key');
      const r = k === null ? undefined : table.rows.get(k);
      return r === undefined ? undefined : (JSON.parse(r.json) as T);
    },
    put(key, value) {
      const k = checkText(key, 'collection key', true);
      write(k, row(k, value));
    },
    insert(key, value) {
      const k = checkText(key, 'collection key', true);
      const r = row(k, value);
      if (table.rows.has(k)) return false;
      write(k, r);
      return true;
    },
    delete(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null || !table.rows.has(k)) return false;
      write(k, undefined);
      return true;
    },
    list(prefix = '', limit, offset) {
      const p = lookupKey(prefix, 'collection key prefix');
      const lim = checkLimit(limit, 'limit') ?? Number.POSITIVE_INFINITY;
      const off = checkLimit(offset, 'offset') ?? 0;
      if (p === null) return [];
      const to = prefixUpperBound(p);
      const out: Array<Entry<T>> = [];
      for (let i = lowerBound(table.keys, p, compareCodePoints) + off; i < table.keys.length && out.length < lim; i++) {
        const k = table.keys[i]!;
        if (to !== undefined && compareCodePoints(k, to) >= 0) break;
        out.push(table.entry<T>(k));
      }
      return out;
    },
    find(index, value, limit) {
      const list = table.slots[slotOf(index)]!;
      const lim = checkLimit(limit, 'limit') ?? Number.POSITIVE_INFINITY;
      const v = lookupKey(value, 'index value');
      if (v === null) return [];
      const out: Array<Entry<T>> = [];
      for (let i = lowerBound(list, [v, ''], comparePairs); i < list.length && out.length < lim; i++) {
        if (list[i]![0] !== v) break;
        out.push(table.entry<T>(list[i]![1]));
      }
      return out;
    },
    range(index, bounds) {
      const list = table.slots[slotOf(index)]!;
      const lim = checkLimit(bounds?.limit, 'limit') ?? Number.POSITIVE_INFINITY;
      const from = lookupKey(bounds?.from ?? '', 'range from');
      const below = bounds?.below === undefined ? undefined : lookupKey(bounds.below, 'range below');
      if (from === null || below === null) return [];
      const out: Array<Entry<T>> = [];
      for (let i = lowerBound(list, [from, ''], comparePairs); i < list.length && out.length < lim; i++) {
        if (below !== undefined && compareCodePoints(list[i]![0], below) >= 0) break;
        out.push(table.entry<T>(list[i]![1]));
      }
      return out;
    },
  };
}

/** Opens an empty in-memory CollectionStore (kind 'memory'). */
export function openMemoryStore(): CollectionStore {
  return new MemoryStore();
}

class MemoryStore implements CollectionStore {
  readonly kind = 'memory';
  readonly events = new LocalEventBus();
  readonly #tables = new Map<string, Table>();
  readonly #indexes = new IndexRegistry();
  readonly #gate = new Gate();
  readonly #group = new GroupCommit(this.#gate, (group) => this.#commitGroup(group));
  readonly #outside: Run = (op) => this.#gate.outside(op);

  #table(name: string): Table {
    let t = this.#tables.get(name);
    if (!t) {
      t = new Table();
      this.#tables.set(name, t);
    }
    return t;
  }

  #ops<T>(name: string, options: CollectionOptions<T> | undefined, journal: Journal | undefined) {
    this.#indexes.resolve(name, options as CollectionOptions<never>);
    return memoryCollection<T>(this.#table(name), name, this.#indexes, journal);
  }

  collection<T = unknown>(name: string, options?: CollectionOptions<T>) {
    return collectionFacade<T>(this.#outside, this.#ops<T>(name, options, undefined));
  }

  transaction<T>(fn: (tx: CollectionTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#group.enqueue(fn as Queued['fn'], options) as Promise<T>;
  }

  /** Each transaction of the group in turn; one that throws has its writes undone, the others stand. */
  async #commitGroup(group: Queued[]): Promise<void> {
    for (const q of group) {
      let active = true;
      const run = txRun(() => active);
      const journal: Journal = [];
      const events = new PendingEvents(this.events);
      const tx: CollectionTransaction = {
        kind: 'memory',
        events: events.events,
        collection: <C>(name: string, options?: CollectionOptions<C>) =>
          collectionFacade<C>(run, this.#ops<C>(name, options, journal)),
      };
      try {
        const value = await q.fn(tx as never);
        active = false;
        await events.flush();
        q.resolve(value);
      } catch (error) {
        active = false;
        for (const u of journal.reverse()) u.table.set(u.key, u.row);
        q.reject(error);
      }
    }
  }

  async close(): Promise<void> {
    if (await this.#gate.close()) this.#tables.clear();
  }
}
