// A read cache over one store's resources, for the hot reads of a protected RETRIEVE (docs/performance.md):
// a resource by resourceID and by structured path, and small `children` queries (a container's latest
// instance). Exact invalidation from the writes themselves: every create/update/delete, outside or inside a
// transaction, drops the entries of the resources it touched (a delete: the whole deleted subtree) and the
// children queries of their parents, once the write (or its transaction) has ended. A read that started
// before a write ended never fills the cache (a generation counter), so no stale row outlives its write.
//
// Exact only while every writer of the resources goes through this store object: one process owning an
// SQLite file (what the IN-CSE does). Several processes writing one database (PostgreSQL scale-out) need a
// cross-process signal that arrives before the next request; NOTIFY is asynchronous, so the IN-CSE does not
// install this cache there (docs/performance.md "Protected-read caches").
//
// Reads inside a transaction are never served from the cache (they must see the transaction's own writes
// and decide on the row). Hits return a fresh object (JSON.parse of the text cached at fill), so a caller
// that mutates what it read never changes the cache.
import type { ResourceQuery, ResourceStore, Store, StoredResource, StoreTransaction } from './types.js';

export interface ReadCacheOptions {
  /** Entries per map (by resourceID, by path, children queries); the oldest go first. Default 20,000. */
  maxEntries?: number;
  /** Largest `lim` of a children query that is cached. Default 16. */
  maxChildrenLimit?: number;
}

export interface ReadCache {
  /** Hits and misses since installation (tests, benches). */
  readonly stats: { hits: number; misses: number };
  /** Entries held now (tests). */
  size(): number;
  /** Drops everything. */
  clear(): void;
}

const installed = new WeakSet<Store>();

/**
 * Installs the cache on `store` in place (its `resources` and `transaction`), so every holder of the
 * store object reads through it and every write through it invalidates. Installing twice is refused.
 */
export function installReadCache(store: Store, o: ReadCacheOptions = {}): ReadCache {
  if (installed.has(store)) throw new Error('a read cache is already installed on this store');
  installed.add(store);
  const max = o.maxEntries ?? 20_000;
  const maxLim = o.maxChildrenLimit ?? 16;
  const byRi = new Map<string, string>();
  const bySrn = new Map<string, string>();
  const children = new Map<string, Map<string, string>>();
  let childQueries = 0;
  // Bumped when a write starts and when it ends: a fill whose read began at another generation is dropped.
  let generation = 0;
  const stats = { hits: 0, misses: 0 };

  const bound = (m: Map<string, unknown>) => {
    while (m.size > max) m.delete(m.keys().next().value as string);
  };
  const fill = (r: StoredResource) => {
    const text = JSON.stringify(r);
    byRi.set(r.ri, text);
    bySrn.set(r.srn, text);
    bound(byRi);
    bound(bySrn);
  };
  const dropChildren = (pi: string) => {
    const m = children.get(pi);
    if (m) {
      childQueries -= m.size;
      children.delete(pi);
    }
  };
  const drop = (r: { ri?: unknown; srn?: unknown; pi?: unknown }) => {
    if (typeof r.ri === 'string') {
      const text = byRi.get(r.ri);
      byRi.delete(r.ri);
      // The path this resourceID was cached under (a caller's record may carry a different srn).
      if (text !== undefined) bySrn.delete((JSON.parse(text) as StoredResource).srn);
      dropChildren(r.ri);
    }
    if (typeof r.srn === 'string') {
      const text = bySrn.get(r.srn);
      bySrn.delete(r.srn);
      if (text !== undefined) byRi.delete((JSON.parse(text) as StoredResource).ri);
    }
    if (typeof r.pi === 'string') dropChildren(r.pi);
  };
  const clear = () => {
    byRi.clear();
    bySrn.clear();
    children.clear();
    childQueries = 0;
  };

  /** What one write (or one transaction's writes) touched, dropped when it ends. */
  class Touched {
    readonly records: Array<{ ri?: unknown; srn?: unknown; pi?: unknown }> = [];
    /** Deletes whose subtree is not known yet: if any is still open at the end, everything goes. */
    openDeletes = 0;
    end(): void {
      generation++;
      if (this.openDeletes > 0) clear();
      else for (const r of this.records) drop(r);
    }
  }

  const writes = (base: ResourceStore, t: Touched): Pick<ResourceStore, 'create' | 'update' | 'delete'> => ({
    create: (r) => {
      generation++;
      t.records.push({ ri: r?.ri, srn: r?.srn, pi: r?.pi });
      return base.create(r);
    },
    update: (r) => {
      generation++;
      t.records.push({ ri: r?.ri, srn: r?.srn, pi: r?.pi });
      return base.update(r);
    },
    delete: (ri) => {
      generation++;
      t.records.push({ ri });
      // The subtree is known only from the answer; a delete that fails or never answers drops everything.
      t.openDeletes++;
      return base.delete(ri).then((gone) => {
        for (const r of gone) t.records.push(r);
        t.openDeletes--;
        return gone;
      });
    },
  });

  const outer = store.resources;
  const hit = (text: string) => {
    stats.hits++;
    return Promise.resolve(JSON.parse(text) as StoredResource);
  };
  const single =
    (t: Touched) =>
    <T>(p: Promise<T>) =>
      p.finally(() => t.end());
  store.resources = {
    ...outer,
    get(ri) {
      const text = typeof ri === 'string' ? byRi.get(ri) : undefined;
      if (text !== undefined) return hit(text);
      stats.misses++;
      const g = generation;
      return outer.get(ri).then((r) => {
        if (r && g === generation) fill(r);
        return r;
      });
    },
    getBySrn(srn) {
      const text = typeof srn === 'string' ? bySrn.get(srn) : undefined;
      if (text !== undefined) return hit(text);
      stats.misses++;
      const g = generation;
      return outer.getBySrn(srn).then((r) => {
        if (r && g === generation) fill(r);
        return r;
      });
    },
    children(pi, q?: ResourceQuery) {
      const cacheable = typeof pi === 'string' && q?.lim !== undefined && q.lim <= maxLim && q.after === undefined;
      if (!cacheable) return outer.children(pi, q);
      const key = JSON.stringify(q);
      const text = children.get(pi)?.get(key);
      if (text !== undefined) {
        stats.hits++;
        return Promise.resolve(JSON.parse(text) as StoredResource[]);
      }
      stats.misses++;
      const g = generation;
      return outer.children(pi, q).then((rs) => {
        if (g === generation) {
          const m = children.get(pi) ?? new Map<string, string>();
          children.set(pi, m);
          if (!m.has(key)) childQueries++;
          m.set(key, JSON.stringify(rs));
          if (childQueries > max) {
            children.clear();
            childQueries = 0;
          }
        }
        return rs;
      });
    },
    create(r) {
      const t = new Touched();
      return single(t)(writes(outer, t).create(r));
    },
    update(r) {
      const t = new Touched();
      return single(t)(writes(outer, t).update(r));
    },
    delete(ri) {
      const t = new Touched();
      return single(t)(writes(outer, t).delete(ri));
    },
  };

  const transaction = store.transaction.bind(store);
  store.transaction = <T>(fn: (tx: StoreTransaction) => Promise<T>, options?: Parameters<Store['transaction']>[1]) => {
    const t = new Touched();
    return transaction((tx) => {
      const inner = tx.resources;
      return fn({ ...tx, resources: { ...inner, ...writes(inner, t) } });
    }, options).finally(() => t.end());
  };

  return {
    stats,
    size: () => byRi.size + bySrn.size + childQueries,
    clear,
  };
}
