// openSealedVault: secrets sealed under a KEK inside the SE, bound to purpose and record ID.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createKeyFile, openSealedVault, openSoftwareSecureEnvironment } from '../src/index.js';

async function se() {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-vault-'));
  const keyFile = join(dir, 'kek');
  createKeyFile(keyFile);
  return openSoftwareSecureEnvironment({ path: join(dir, 'keystore.json'), keyFile });
}

it('seals and opens a secret; another purpose, another record or a tampered value is refused', async () => {
  const s = await se();
  const vault = await openSealedVault(s, { kekId: 'test/kek', label: 'test KEK' });
  const secret = randomBytes(32);
  const sealed = await vault.seal('Km', 'client-1', secret);
  expect(sealed).not.toContain(secret.toString('base64url'));
  expect((await vault.open('Km', 'client-1', sealed)).equals(secret)).toBe(true);
  await expect(vault.open('Kc', 'client-1', sealed)).rejects.toThrow();
  await expect(vault.open('Km', 'client-2', sealed)).rejects.toThrow();
  const [iv, ct] = sealed.split('.');
  const flipped = `${iv}.${ct!.slice(0, -2)}${ct!.endsWith('AA') ? 'AB' : 'AA'}`;
  await expect(vault.open('Km', 'client-1', flipped)).rejects.toThrow();
  await expect(vault.open('Km', 'client-1', 'not-sealed')).rejects.toThrow(/malformed/);
  await s.close();
});

it("instances given the same KEK open each other's values; a KEK of the wrong length is refused", async () => {
  const kek = randomBytes(32);
  const [a, b] = [await se(), await se()];
  const va = await openSealedVault(a, { kekId: 'shared/kek', label: 'shared KEK', kek });
  const vb = await openSealedVault(b, { kekId: 'shared/kek', label: 'shared KEK', kek });
  const sealed = await va.seal('Ke', 'e1', Buffer.from('enrolment key bytes'));
  expect((await vb.open('Ke', 'e1', sealed)).toString()).toBe('enrolment key bytes');
  const c = await se();
  await expect(openSealedVault(c, { kekId: 'x/kek', label: 'x KEK', kek: randomBytes(16) })).rejects.toThrow(
    /must be 32 bytes/,
  );
  await Promise.all([a.close(), b.close(), c.close()]);
});
