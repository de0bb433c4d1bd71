// The BSF purge walks indexes ordered by expiry (docs/storage.md): with 10,000 live challenges and
// bootstrapping sessions it reads only the expired ones (was: every challenge, pointer and session).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { countReads, openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { createBsf } from '../src/index.js';

describe('BSF purgeExpired', () => {
  it('reads only what expired, among 10,000 live challenges and sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gba-purge-'));
    createKeyFile(join(dir, 'kek'));
    const se = await openSoftwareSecureEnvironment({ path: join(dir, 'keystore'), keyFile: join(dir, 'kek') });
    const kek = await se.generateKey({ algorithm: 'AES', length: 32, usages: ['encrypt'], id: 'gba-kek' });
    const { store, reads } = countReads(await openSqliteStore({ file: ':memory:' }));
    let now = 1_800_000_000_000;
    const bsf = createBsf({ store, se, kek, bsfDomain: 'bsf.example.com', now: () => now });
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10_000; i++) {
        await tx.collection('gba.challenges').put(`n${i}`, { impi: `u${i}@ims`, sqn: '0', expiresAt: now + 60_000 });
        await tx.collection('gba.nonce-by-impi').put(`u${i}@ims`, `n${i}`);
        await tx.collection('gba.bootstraps').put(`b${i}@bsf`, { impi: `u${i}@ims`, expiresAt: now + 120_000 });
        await tx.collection('gba.btid-by-impi').put(`u${i}@ims`, `b${i}@bsf`);
      }
      await tx.collection('gba.challenges').put('old', { impi: 'x@ims', sqn: '0', expiresAt: now - 1 });
      await tx.collection('gba.nonce-by-impi').put('x@ims', 'old');
    });
    reads.reset();
    expect(await bsf.purgeExpired()).toEqual({ challenges: 1, bootstraps: 0 });
    expect(reads.total).toBeLessThanOrEqual(2); // the expired challenge and its pointer
    expect(await store.collection('gba.nonce-by-impi').get('x@ims')).toBeUndefined();
    now += 120_001;
    expect(await bsf.purgeExpired()).toEqual({ challenges: 10_000, bootstraps: 10_000 });
    expect(await store.collection('gba.btid-by-impi').list('', 1)).toEqual([]);
    expect(await store.collection('gba.nonce-by-impi').list('', 1)).toEqual([]);
    await store.close();
  }, 180_000);
});
