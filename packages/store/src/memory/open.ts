// The in-memory Store: the oneM2M resource tree and keyed collections with the same indexes, transactions
// and events as the SQLite and PostgreSQL stores, held in this process only (tests, gateways without a
// disk, deployments that keep no state across restarts: nothing survives close or a process exit). It
// passes the same contracts (test/contract.ts, test/collection-contract.ts). Every index is a sorted array
// or a map, so lookups and ranges cost a binary search plus the entries they return, as the databases'
// B-trees do; a write costs a search and an array insertion per index (docs/storage.md).
import { LocalEventBus, PendingEvents } from '../events/local-bus.js';
import { checkLimit } from '../lib/check-limit.js';
import { checkText } from '../lib/check-text.js';
import { compareCodePoints } from '../lib/compare-code-points.js';
import { type CollectionOps, collectionFacade, type Run, resourceFacade, txRun } from '../lib/facade.js';
import { Gate } from '../lib/gate.js';
import { GroupCommit, type Queued } from '../lib/group-commit.js';
import { IndexRegistry, SLOTS } from '../lib/indexes.js';
import { lookupKey } from '../lib/lookup-key.js';
import { prefixUpperBound } from '../lib/prefix-bound.js';
import { comparePairs, lowerBound, type Pair } from '../lib/sorted.js';
import { toJson } from '../lib/to-json.js';
import {
  type CollectionOptions,
  type Entry,
  type Store,
  StoreConflictError,
  type StoreTransaction,
  type TransactionOptions,
} from '../types.js';
import { ResourceTree } from './resource-tree.js';
import { type Journal, MemoryResourceOps } from './resources.js';

type Row = { json: string; ix: Array<string | null> };
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

function memoryCollection<T>(
  table: Table,
  name: string,
  registry: IndexRegistry,
  journal: Journal | undefined,
): CollectionOps<T> {
  checkText(name, 'collection name');
  const write = (key: string, row: Row | undefined) => {
    const old = table.rows.get(key);
    journal?.push(() => table.set(key, old));
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

/** Opens an empty in-memory Store (kind 'memory'): not durable, private to the caller. */
export function openMemoryStore(): Store {
  return new MemoryStore();
}

class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly events = new LocalEventBus();
  readonly #tree = new ResourceTree();
  readonly #tables = new Map<string, Table>();
  readonly #indexes = new IndexRegistry();
  readonly #gate = new Gate();
  readonly #group = new GroupCommit(this.#gate, (group) => this.#commitGroup(group));
  readonly #outside: Run = (op) => this.#gate.outside(op);
  readonly resources = resourceFacade(this.#outside, new MemoryResourceOps(this.#tree, undefined));

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

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    // serializeOn is checked (every store accepts the same input) and needs nothing more: transactions
    // already run one at a time, and there is no other process.
    return this.#group.enqueue(fn, options);
  }

  /** Each transaction of the group in turn; one that throws has its writes undone, the others stand. */
  async #commitGroup(group: Queued[]): Promise<void> {
    for (const q of group) {
      let active = true;
      const run = txRun(() => active);
      const journal: Journal = [];
      const events = new PendingEvents(this.events);
      const tx: StoreTransaction = {
        kind: 'memory',
        events: events.events,
        resources: resourceFacade(run, new MemoryResourceOps(this.#tree, journal)),
        collection: <C>(name: string, options?: CollectionOptions<C>) =>
          collectionFacade<C>(run, this.#ops<C>(name, options, journal)),
      };
      try {
        const value = await q.fn(tx);
        active = false;
        await events.flush();
        q.resolve(value);
      } catch (error) {
        active = false;
        for (const undo of journal.reverse()) undo();
        q.reject(error);
      }
    }
  }

  async close(): Promise<void> {
    if (!(await this.#gate.close())) return;
    this.#tables.clear();
    this.#tree.clear();
  }
}
