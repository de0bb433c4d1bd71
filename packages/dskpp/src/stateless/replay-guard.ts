// One-time use of a stateless session (a pass 3 may be answered once). This is state: the
// guard's scope decides what replay protection the stateless profile really has.
//  - MemoryReplayGuard: per process. A replay reaching another MEF instance within the token
//    lifetime is NOT detected.
//  - collectionReplayGuard: a Collection of @m2msec/store shared by every instance (SQLite file on
//    one machine, PostgreSQL across machines): replays are refused everywhere, at the cost of one
//    conditional insert per completed run.
import { type Collection, type CollectionStore, sortableNumber } from '@m2msec/store';

export interface ReplayGuard {
  /** Records `id` as used until `expiresAt`; false if it was already used. */
  claim(id: string, expiresAt: number): Promise<boolean>;
}

export class MemoryReplayGuard implements ReplayGuard {
  private readonly used = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(id: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    if (now - this.lastSweep >= 1000) {
      this.lastSweep = now;
      for (const [k, exp] of this.used) if (exp <= now) this.used.delete(k);
    }
    if (this.used.has(id)) return false;
    this.used.set(id, expiresAt);
    return true;
  }
}

export interface CollectionReplayGuard extends ReplayGuard {
  /** Deletes entries whose expiry has passed; returns how many. Run it periodically. */
  prune(now?: number): Promise<number>;
}

const PRUNE_BATCH = 500;
type Claimed = { expiresAt: number };

/**
 * A replay guard over a shared store collection (atomic insert-if-absent). Given the store (and the
 * collection name, default 'dskpp-replay'), it declares an index by expiry and prune reads only the
 * expired claims. Given a Collection (the earlier signature), prune has no index and reads them all.
 */
export function collectionReplayGuard(
  source: Collection<Claimed> | CollectionStore,
  name = 'dskpp-replay',
): CollectionReplayGuard {
  const indexed = 'transaction' in source;
  const collection = indexed
    ? source.collection<Claimed>(name, { indexes: { expiresAt: { key: (v) => sortableNumber(v.expiresAt) } } })
    : source;
  return {
    claim: (id, expiresAt) => collection.insert(id, { expiresAt }),
    async prune(now = Date.now()) {
      let removed = 0;
      if (!indexed) {
        for (const { key, value } of await collection.list()) {
          if (value.expiresAt <= now && (await collection.delete(key))) removed++;
        }
        return removed;
      }
      for (;;) {
        const batch = await collection.range('expiresAt', { below: sortableNumber(now + 1), limit: PRUNE_BATCH });
        for (const { key } of batch) if (await collection.delete(key)) removed++;
        if (batch.length < PRUNE_BATCH) return removed;
      }
    },
  };
}
