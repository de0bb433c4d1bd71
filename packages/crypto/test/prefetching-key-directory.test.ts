// The shared prefetching key directory (issue 11 item 4). Attack first: an attacker cycling unknown
// identities must cost O(1) each — no fetch for an identity the source can never hold, one fetch per
// identity per negative-cache window, bounded concurrency — and never a scan of what is held.
import { describe, expect, it } from 'vitest';
import { PrefetchingKeyDirectory } from '../src/index.js';

interface Entry {
  key: Buffer;
  expiresAt?: number;
}

function directory(o: { now?: () => number; source?: Map<string, Entry>; accepts?: (id: string) => boolean } = {}) {
  const source = o.source ?? new Map<string, Entry>();
  const evicted: string[] = [];
  let fetched: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const d = new PrefetchingKeyDirectory<Entry>({
    async fetch(id) {
      fetched.push(id);
      if (gate) await gate;
      const e = source.get(id);
      if (id.startsWith('boom')) throw new Error('source down');
      return e && { key: Buffer.from(e.key), ...(e.expiresAt !== undefined ? { expiresAt: e.expiresAt } : {}) };
    },
    expiresAt: (e) => e.expiresAt,
    ...(o.accepts ? { accepts: o.accepts } : {}),
    onEvict: (id, e) => {
      evicted.push(id);
      e.key.fill(0);
    },
    maxEntries: 3,
    negativeCacheMs: 1000,
    maxConcurrentFetches: 2,
    ...(o.now ? { now: o.now } : {}),
  });
  return {
    d,
    source,
    evicted,
    fetched: () => fetched,
    reset: () => {
      fetched = [];
    },
    hold: () => {
      gate = new Promise((r) => {
        release = () => {
          gate = undefined;
          r();
        };
      });
    },
    release: () => release?.(),
  };
}

describe('PrefetchingKeyDirectory', () => {
  it('a miss refuses now and fetches in the background; the retry finds the key', async () => {
    const t = directory();
    t.source.set('id1', { key: Buffer.alloc(16, 1) });
    expect(t.d.lookup('id1')).toBeUndefined();
    expect(await t.d.prepare('id1')).toBe(true);
    expect(t.d.lookup('id1')?.key).toEqual(Buffer.alloc(16, 1));
    expect(t.fetched()).toEqual(['id1']);
  });

  it('attack: an identity the source can never hold is refused without a fetch', async () => {
    const t = directory({ accepts: (id) => id.endsWith('@trusted.example') });
    for (let i = 0; i < 1000; i++) expect(t.d.lookup(`x${i}@evil.example`)).toBeUndefined();
    expect(await t.d.prepare('y@evil.example')).toBe(false);
    expect(t.fetched()).toEqual([]);
  });

  it('attack: an unknown identity is fetched once per negative-cache window, however often it is tried', async () => {
    let now = 0;
    const t = directory({ now: () => now });
    for (let i = 0; i < 100; i++) {
      t.d.lookup('nobody');
      await t.d.prepare('nobody');
    }
    expect(t.fetched()).toEqual(['nobody']);
    now = 1500;
    expect(await t.d.prepare('nobody')).toBe(false);
    expect(t.fetched()).toEqual(['nobody', 'nobody']);
  });

  it('attack: concurrent misses share one fetch, and at most maxConcurrentFetches run', async () => {
    const t = directory();
    t.source.set('a', { key: Buffer.alloc(16, 2) });
    t.hold();
    const waits = [t.d.prepare('a'), t.d.prepare('a'), t.d.prepare('b'), t.d.prepare('c'), t.d.prepare('d')];
    expect(t.fetched()).toEqual(['a', 'b']); // c and d refused: two fetches already in flight
    t.release();
    expect(await Promise.all(waits)).toEqual([true, true, false, false, false]);
  });

  it('never serves an expired key, and evicts (zeroises) it when seen', async () => {
    let now = 0;
    const t = directory({ now: () => now });
    t.source.set('k', { key: Buffer.alloc(16, 3), expiresAt: 100 });
    expect(await t.d.prepare('k')).toBe(true);
    const held = t.d.peek('k')!;
    now = 100;
    expect(t.d.lookup('k')).toBeUndefined();
    expect(t.evicted).toEqual(['k']);
    expect(held.key).toEqual(Buffer.alloc(16, 0));
    // A key that arrives already expired is not held.
    t.source.set('old', { key: Buffer.alloc(16, 4), expiresAt: 50 });
    expect(await t.d.prepare('old')).toBe(false);
    expect(t.d.size).toBe(0);
  });

  it('every key that leaves goes through the eviction hook once: replacement, size bound, delete, clear', () => {
    const t = directory();
    const e = (n: number) => ({ key: Buffer.alloc(16, n) });
    t.d.set('a', e(1));
    t.d.set('a', e(2)); // replaces
    t.d.set('b', e(3));
    t.d.set('c', e(4));
    t.d.set('d', e(5)); // bound 3: a leaves
    expect(t.evicted).toEqual(['a', 'a']);
    expect(t.d.delete('b')).toBe(true);
    expect(t.d.delete('b')).toBe(false);
    t.d.clear();
    expect(t.evicted.sort()).toEqual(['a', 'a', 'b', 'c', 'd']);
    expect(t.d.size).toBe(0);
  });

  it('a failing source is reported, negative-cached, and fetch() rejects; onFetched failing discards the key', async () => {
    const errors: string[] = [];
    const evicted: string[] = [];
    const d = new PrefetchingKeyDirectory<Entry>({
      fetch: async (id) => {
        if (id === 'boom') throw new Error('down');
        return { key: Buffer.alloc(16, 9) };
      },
      expiresAt: () => undefined,
      onFetched: async (id) => {
        if (id === 'unbindable') throw new Error('binding refused');
      },
      onEvict: (id) => evicted.push(id),
      onFetchError: (id) => errors.push(id),
    });
    await expect(d.fetch('boom')).rejects.toThrow('down');
    expect(await d.prepare('boom')).toBe(false);
    expect(errors).toEqual(['boom']);
    expect(await d.prepare('unbindable')).toBe(false);
    expect(errors).toEqual(['boom', 'unbindable']);
    expect(d.peek('unbindable')).toBeUndefined();
    expect(evicted).toEqual(['unbindable']);
  });

  it('attack: with 10,000 keys held, an unknown identity touches none of them (no scan)', async () => {
    let expiryReads = 0;
    const d = new PrefetchingKeyDirectory<Entry>({
      fetch: async () => undefined,
      expiresAt: (e) => {
        expiryReads++;
        return e.expiresAt;
      },
      maxEntries: 20_000,
      maxConcurrentFetches: 20_000,
    });
    for (let i = 0; i < 10_000; i++) d.set(`k${i}`, { key: Buffer.alloc(16) });
    for (let i = 0; i < 1000; i++) expect(d.lookup(`unknown${i}`)).toBeUndefined();
    expect(expiryReads).toBe(0);
    expect(d.fetches).toBe(1000); // one keyed fetch each, in the background
    expect(d.lookup('k5')).toBeDefined();
    expect(expiryReads).toBe(1);
  });
});
