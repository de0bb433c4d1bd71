// A view of a store that counts the entries its collections return: how tests show that a request
// path reads a bounded number of entries whatever the collection holds (no full scans, docs/storage.md).
import type { Collection, CollectionStore, CollectionTransaction } from '../types.js';

export interface ReadCount {
  /** Entries returned by get/list/find/range since the last reset, over all collections. */
  readonly total: number;
  /** The same, per collection name. */
  of(collection: string): number;
  reset(): void;
}

/**
 * Wraps `store` (its tx handles too) so that every entry a collection returns is counted. Everything
 * else passes through: the wrapped store is the same database.
 */
export function countReads<S extends CollectionStore>(store: S): { store: S; reads: ReadCount } {
  const counts = new Map<string, number>();
  const add = (name: string, n: number) => counts.set(name, (counts.get(name) ?? 0) + n);
  const wrap = <T>(name: string, c: Collection<T>): Collection<T> => ({
    ...c,
    get: async (key) => {
      const v = await c.get(key);
      if (v !== undefined) add(name, 1);
      return v;
    },
    list: async (prefix, limit, offset) => {
      const r = await c.list(prefix, limit, offset);
      add(name, r.length);
      return r;
    },
    find: async (index, value, limit) => {
      const r = await c.find(index, value, limit);
      add(name, r.length);
      return r;
    },
    range: async (index, bounds) => {
      const r = await c.range(index, bounds);
      add(name, r.length);
      return r;
    },
  });
  const wrapTx = <X extends CollectionTransaction>(tx: X): X =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'collection') {
          return (name: string, options?: never) => wrap(name, target.collection(name, options));
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'collection') return (name: string, options?: never) => wrap(name, target.collection(name, options));
      if (prop === 'transaction') {
        return (fn: (tx: CollectionTransaction) => Promise<unknown>, options?: never) =>
          target.transaction((tx) => fn(wrapTx(tx)), options);
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    store: wrapped,
    reads: {
      get total() {
        let n = 0;
        for (const v of counts.values()) n += v;
        return n;
      },
      of: (c) => counts.get(c) ?? 0,
      reset: () => counts.clear(),
    },
  };
}
