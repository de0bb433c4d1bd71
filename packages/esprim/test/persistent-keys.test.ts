// Established end-to-end keys survive a restart: written as credentials of a real (software) Secure
// Environment, whose keystore is encrypted under the KEK, and loaded again into a fresh key store.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, describe, expect, it } from 'vitest';
import { PairwiseESPrimKeys, PersistentIdentityKeys } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'm2msec-esprim-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kek = randomBytes(32);
const open = () => openSoftwareSecureEnvironment({ path: join(dir, 'keystore.json'), kek: Buffer.from(kek) });

describe('PersistentIdentityKeys', () => {
  it('a key put before a restart is served after it; a new key for the identity replaces the old one', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    let se = await open();
    const keys = new PairwiseESPrimKeys();
    const p = await PersistentIdentityKeys.open(se, 'escertke/', keys);
    await p.put('/id-mn/Cae1', 'aa01', k1);
    await p.put('/id-mn/Cae2', 'bb02', k2);
    const k3 = randomBytes(32);
    await p.put('/id-mn/Cae1', 'aa03', k3);
    expect(keys.get('aa01')).toBeUndefined();
    await se.close();
    // The keystore on disk does not hold the key in the clear.
    const disk = readFileSync(join(dir, 'keystore.json'));
    for (const k of [k2, k3]) {
      expect(disk.includes(k)).toBe(false);
      expect(disk.includes(Buffer.from(k.toString('base64')))).toBe(false);
    }

    se = await open();
    const again = new PairwiseESPrimKeys();
    const q = await PersistentIdentityKeys.open(se, 'escertke/', again);
    expect(again.get('aa01')).toBeUndefined();
    expect(Buffer.from(again.get('aa03')!.key)).toEqual(k3);
    expect(again.get('aa03')!.identity).toBe('/id-mn/Cae1');
    expect(Buffer.from(again.get('bb02')!.key)).toEqual(k2);
    expect(q.kid('/id-mn/Cae2')).toBe('bb02');
    // Other credentials of the SE are not taken for keys.
    await se.writeCredential('other/x', Buffer.from('not a key'));
    await expect(PersistentIdentityKeys.open(se, 'escertke/', new PairwiseESPrimKeys())).resolves.toBeDefined();
    // An identity the configuration no longer accepts: its key is deleted at start, not served.
    const narrowed = new PairwiseESPrimKeys();
    await PersistentIdentityKeys.open(se, 'escertke/', narrowed, (id) => id !== '/id-mn/Cae2');
    expect(narrowed.get('bb02')).toBeUndefined();
    expect(narrowed.get('aa03')).toBeDefined();
    expect(await se.listCredentials()).not.toContain('escertke/%2Fid-mn%2FCae2');
    await se.close();
  });

  it('a stored record that does not parse stops the start, with its label and without its bytes', async () => {
    const se = await open();
    await se.writeCredential('escertke/broken', Buffer.from('{"kid":'));
    await expect(PersistentIdentityKeys.open(se, 'escertke/', new PairwiseESPrimKeys())).rejects.toThrow(
      "stored end-to-end key 'escertke/broken' is not readable",
    );
    await se.close();
  });
});
