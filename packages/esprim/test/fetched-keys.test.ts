// FetchingESPrimKeys (MEF-provisioned pairwiseESPrimKeys): local keys first; only accepted kids are fetched;
// one fetch per kid at a time; a failure is not retried within the negative-cache time; at most maxInFlight
// fetches; a fetched key is served until its lifetime ends, then fetched again.
import { describe, expect, it } from 'vitest';
import { type FetchedESPrimKey, FetchingESPrimKeys, PairwiseESPrimKeys } from '../src/index.js';

function setup(o: { maxInFlight?: number } = {}) {
  let now = 1_000_000;
  const calls: string[] = [];
  const pending: Array<{ kid: string; resolve: (k: FetchedESPrimKey) => void; reject: (e: Error) => void }> = [];
  const local = new PairwiseESPrimKeys();
  local.add({ kid: 'local', key: Buffer.alloc(32, 1), identity: '/id-in/Clocal' });
  const keys = new FetchingESPrimKeys(local, {
    accepts: (kid) => kid.endsWith('@mef.m2msec.org'),
    fetch: (kid) => {
      calls.push(kid);
      return new Promise((resolve, reject) => pending.push({ kid, resolve, reject }));
    },
    negativeCacheMs: 2000,
    now: () => now,
    ...o,
  });
  return { keys, calls, pending, advance: (ms: number) => (now += ms), now: () => now };
}

describe('FetchingESPrimKeys', () => {
  it('serves local keys without fetching, and never fetches a kid it does not accept', async () => {
    const t = setup();
    expect((await t.keys.get('local'))?.identity).toBe('/id-in/Clocal');
    expect(await t.keys.get('someone@elsewhere.org')).toBeUndefined();
    expect(t.calls).toEqual([]);
  });

  it('one fetch for concurrent requests; the key is served until it expires, then fetched again', async () => {
    const t = setup();
    const a = t.keys.get('k1@mef.m2msec.org');
    const b = t.keys.get('k1@mef.m2msec.org');
    expect(t.calls).toEqual(['k1@mef.m2msec.org']);
    t.pending[0]!.resolve({ key: Buffer.alloc(32, 7), identity: '/id-in/Cesp1', expiresAt: t.now() + 10_000 });
    expect((await a)?.identity).toBe('/id-in/Cesp1');
    expect((await b)?.identity).toBe('/id-in/Cesp1');
    expect((await t.keys.get('k1@mef.m2msec.org'))?.identity).toBe('/id-in/Cesp1');
    expect(t.calls.length).toBe(1);
    t.advance(10_001);
    void t.keys.get('k1@mef.m2msec.org');
    expect(t.calls.length).toBe(2);
  });

  it('a failed fetch is not repeated within the negative-cache time; a short or expired key is a failure', async () => {
    const t = setup();
    const a = t.keys.get('k2@mef.m2msec.org');
    t.pending[0]!.reject(new Error('4004 at the MEF'));
    expect(await a).toBeUndefined();
    expect(await t.keys.get('k2@mef.m2msec.org')).toBeUndefined();
    expect(t.calls.length).toBe(1);
    t.advance(2001);
    const b = t.keys.get('k2@mef.m2msec.org');
    t.pending[1]!.resolve({ key: Buffer.alloc(8), identity: '/id-in/C', expiresAt: t.now() + 1000 });
    expect(await b).toBeUndefined();
  });

  it('at most maxInFlight fetches at once: further unknown kids are unknown, not queued', async () => {
    const t = setup({ maxInFlight: 2 });
    void t.keys.get('a@mef.m2msec.org');
    void t.keys.get('b@mef.m2msec.org');
    expect(await t.keys.get('c@mef.m2msec.org')).toBeUndefined();
    expect(t.calls).toEqual(['a@mef.m2msec.org', 'b@mef.m2msec.org']);
  });
});
