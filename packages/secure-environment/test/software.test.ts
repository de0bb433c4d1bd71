import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AuditEvent, createKeyFile, openSoftwareSecureEnvironment, SecureEnvironmentError } from '../src/index.js';
import { secureEnvironmentContract } from './contract.js';
import { tmp } from './helpers.js';

const fastScrypt = { N: 2 ** 12, r: 8, p: 1 };

secureEnvironmentContract('software (passphrase)', async () => {
  const path = join(tmp('sw'), 'keystore.json');
  const events: AuditEvent[] = [];
  const open = () =>
    openSoftwareSecureEnvironment({
      path,
      passphrase: 'correct horse',
      scrypt: fastScrypt,
      audit: (e) => events.push(e),
    });
  let se = await open();
  return {
    get se() {
      return se;
    },
    events,
    async reopen() {
      await se.close();
      se = await open();
      return se;
    },
    dispose: () => se.close(),
  };
});

describe('software keystore at rest', () => {
  it('needs the right passphrase and detects tampering', async () => {
    const path = join(tmp('sw'), 'ks.json');
    const se = await openSoftwareSecureEnvironment({ path, passphrase: 'pw-1', scrypt: fastScrypt });
    await se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'k' }, new Uint8Array(32).fill(7));
    await se.close();
    const err = await openSoftwareSecureEnvironment({ path, passphrase: 'pw-2' }).catch((e) => e);
    expect(err).toBeInstanceOf(SecureEnvironmentError);
    expect(err.code).toBe('AUTHENTICATION_FAILED');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.kdf.N = 2 ** 13; // header is authenticated
    writeFileSync(path, JSON.stringify(file));
    expect((await openSoftwareSecureEnvironment({ path, passphrase: 'pw-1' }).catch((e) => e)).code).toBe(
      'AUTHENTICATION_FAILED',
    );
    writeFileSync(path, 'garbage');
    expect((await openSoftwareSecureEnvironment({ path, passphrase: 'pw-1' }).catch((e) => e)).code).toBe(
      'KEYSTORE_UNREADABLE',
    );
  });

  it('opens with a key file and refuses a missing or wrong-size one', async () => {
    const dir = tmp('kf');
    const keyFile = join(dir, 'kek');
    createKeyFile(keyFile);
    const path = join(dir, 'ks.json');
    const se = await openSoftwareSecureEnvironment({ path, keyFile });
    await se.generateKey({ algorithm: 'AES', length: 32, usages: ['encrypt'], id: 'a' });
    await se.close();
    const again = await openSoftwareSecureEnvironment({ path, keyFile });
    expect(await again.getKey('a')).toBeDefined();
    await again.close();
    writeFileSync(join(dir, 'short'), new Uint8Array(16));
    expect((await openSoftwareSecureEnvironment({ path, keyFile: join(dir, 'short') }).catch((e) => e)).code).toBe(
      'INVALID_INPUT',
    );
    expect((await openSoftwareSecureEnvironment({ path, keyFile: join(dir, 'none') }).catch((e) => e)).code).toBe(
      'INVALID_INPUT',
    );
    expect((await openSoftwareSecureEnvironment({ path, passphrase: 'x' }).catch((e) => e)).code).toBe('INVALID_INPUT');
    expect((await openSoftwareSecureEnvironment({ path, keyFile, passphrase: 'x' }).catch((e) => e)).code).toBe(
      'INVALID_INPUT',
    );
  });
});
