// The Enrolment Target's key cache: synchronous lookups for the PSK callback, fetches outside it,
// binding before use, expiry, and only KeIDs of trusted MEFs.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnrolmentTargetKeys, handleKeyAnnouncement, withEnrolmentKeys } from '../src/index.js';

const keId = `${randomBytes(16).toString('hex')}@mef.m2msec.org`;

describe('EnrolmentTargetKeys', () => {
  it('a miss starts one fetch; the key is served only after onFetched; expiry evicts it', async () => {
    let now = 1000;
    const calls: string[] = [];
    const key = randomBytes(32);
    const keys = new EnrolmentTargetKeys({
      mefFqdns: ['MEF.m2msec.org'],
      now: () => now,
      fetch: async (id) => {
        calls.push(`fetch ${id}`);
        return { key: Buffer.from(key), enroleeId: 'Cdev1', expiresAt: 5000 };
      },
      onFetched: async (id, c) => {
        calls.push(`bound ${id} ${c.enroleeId}`);
        expect(keys.lookup(id)).toBeUndefined(); // not usable before the binding is done
      },
    });
    expect(keys.lookup(keId)).toBeUndefined();
    expect(keys.lookup(keId)).toBeUndefined();
    expect(await keys.prefetch(keId)).toBe(true);
    expect(calls).toEqual([`fetch ${keId}`, `bound ${keId} Cdev1`]);
    expect(keys.lookup(keId)?.key.equals(key)).toBe(true);
    now = 5000;
    expect(keys.lookup(keId)).toBeUndefined();
  });

  it('ignores identities of other MEFs and non-KeIDs; chains to the base directory', () => {
    const keys = new EnrolmentTargetKeys({
      mefFqdns: ['mef.m2msec.org'],
      fetch: async () => {
        throw new Error('must not fetch');
      },
    });
    expect(keys.isEnrolmentKeyId(`${'ab'.repeat(16)}@evil.example.com`)).toBe(false);
    expect(keys.isEnrolmentKeyId('kpsa-1@mef.m2msec.org')).toBe(false);
    const base = { lookup: (id: string) => (id === 'kpsa-1' ? { key: Buffer.alloc(32, 7) } : undefined) };
    const dir = withEnrolmentKeys(base, keys);
    expect(dir.lookup('kpsa-1')?.key[0]).toBe(7);
    expect(dir.lookup(`${'ab'.repeat(16)}@evil.example.com`)).toBeUndefined();
  });

  it('a failed fetch is not repeated at once; announcements answer 200 / 404 / 400', async () => {
    let fetches = 0;
    const keys = new EnrolmentTargetKeys({
      mefFqdns: ['mef.m2msec.org'],
      fetch: async () => {
        fetches++;
        throw new Error('/fetchCredentials refused');
      },
      negativeCacheMs: 60_000,
    });
    expect((await handleKeyAnnouncement(keys, { keID: keId })).status).toBe(404);
    expect((await handleKeyAnnouncement(keys, { keID: keId })).status).toBe(404);
    expect(fetches).toBe(1);
    expect((await handleKeyAnnouncement(keys, { keID: 'x@evil.example.com' })).status).toBe(400);
    expect((await handleKeyAnnouncement(keys, {})).status).toBe(400);
  });
});
