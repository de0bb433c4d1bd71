// NafKeyCache as a data structure (a pure unit test: the Zn side is a function returning keys; the real
// Zn is exercised in zn.test.ts and psk.test.ts).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GbaError, type NafKey, NafKeyCache } from '../src/index.js';

const btid = () => `${randomBytes(16).toString('base64')}@bsf.example.com`;

function zn(clock: { now: number }, fail = new Set<string>()) {
  const calls: string[] = [];
  const gates = new Map<string, () => void>();
  return {
    calls,
    gates,
    fetchKsNaf: async (b: string): Promise<NafKey> => {
      calls.push(b);
      if (b.startsWith('slow')) await new Promise<void>((r) => gates.set(b, r));
      if (fail.has(b)) throw new GbaError(404, 'ERR_UNKNOWN_BTID', 'unknown or expired B-TID');
      return {
        btid: b,
        impi: 'i@x',
        nafFqdn: 'maf.example.com',
        ksNaf: randomBytes(32),
        bootstrapTime: new Date(clock.now),
        keyExpiry: new Date(clock.now + 1000),
      };
    },
  };
}

describe('NafKeyCache', () => {
  it('evicts (and zeroises) the oldest key beyond maxEntries; expiry drops keys', async () => {
    const clock = { now: 1_000_000 };
    const cache = new NafKeyCache({ zn: zn(clock), maxEntries: 2, now: () => clock.now });
    const [a, b, c] = [btid(), btid(), btid()];
    const ka = await cache.prefetch(a);
    await cache.prefetch(b);
    await cache.prefetch(c);
    expect(cache.size).toBe(2);
    expect(cache.lookup(a)).toBeUndefined();
    expect(ka.ksNaf.equals(Buffer.alloc(32))).toBe(true);
    expect(cache.pskCallback(null, b)).toHaveLength(32);
    clock.now += 1000;
    expect(cache.lookup(b)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('concurrent prefetches share one fetch; a failed B-TID is not refetched before retryAfterMs', async () => {
    const clock = { now: 0 };
    const bad = btid();
    const z = zn(clock, new Set([bad]));
    const errors: string[] = [];
    const cache = new NafKeyCache({
      zn: z,
      retryAfterMs: 2000,
      now: () => clock.now,
      onFetchError: (id) => errors.push(id),
    });
    const x = btid();
    await Promise.all([cache.prefetch(x), cache.prefetch(x), cache.prepare(x)]);
    expect(z.calls.filter((c) => c === x)).toHaveLength(1);
    expect(await cache.prepare(bad)).toBe(false);
    expect(await cache.prepare(bad)).toBe(false);
    expect(z.calls.filter((c) => c === bad)).toHaveLength(1);
    clock.now += 2001;
    expect(await cache.prepare(bad)).toBe(false);
    expect(z.calls.filter((c) => c === bad)).toHaveLength(2);
    expect(errors).toEqual([bad, bad]);
    expect(await cache.prepare('not a btid')).toBe(false);
    expect(cache.pskCallback(null, 'not a btid')).toBeNull();
  });

  it('caps fetches in flight', async () => {
    const clock = { now: 0 };
    const z = zn(clock);
    const cache = new NafKeyCache({ zn: z, maxConcurrentFetches: 1, now: () => clock.now });
    const slow = `slow${randomBytes(16).toString('base64').slice(4)}@bsf.example.com`;
    const pending = cache.prepare(slow);
    expect(await cache.prepare(btid())).toBe(false); // a second fetch would exceed the cap
    await new Promise((r) => setTimeout(r, 10));
    z.gates.get(slow)?.();
    expect(await pending).toBe(true);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
