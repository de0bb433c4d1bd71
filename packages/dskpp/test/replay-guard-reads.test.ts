// The shared replay guard's prune walks an expiry index (docs/storage.md): with 10,000 live claims
// it reads only the expired ones (the Collection form, kept for earlier callers, reads them all).
import { countReads, openMemoryStore, openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { collectionReplayGuard } from '../src/index.js';

describe('collectionReplayGuard over a store', () => {
  for (const [name, open] of [
    ['memory', async () => openMemoryStore()],
    ['sqlite', () => openSqliteStore({ file: ':memory:' })],
  ] as const) {
    it(`${name}: prune reads the expired claims only, among 10,000 live ones`, async () => {
      const { store, reads } = countReads(await open());
      const guard = collectionReplayGuard(store);
      const t = 1_800_000_000_000;
      for (let i = 0; i < 10_000; i++) expect(await guard.claim(`live-${i}`, t + 60_000)).toBe(true);
      expect(await guard.claim('old-1', t - 1)).toBe(true);
      expect(await guard.claim('old-2', t)).toBe(true);
      expect(await guard.claim('old-1', t + 1)).toBe(false); // still claimed until pruned
      reads.reset();
      expect(await guard.prune(t)).toBe(2);
      expect(reads.total).toBe(2);
      expect(await guard.claim('old-1', t + 1)).toBe(true);
      expect(await guard.claim('live-5', t)).toBe(false);
      await store.close();
    }, 60_000);
  }
});
