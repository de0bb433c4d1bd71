import { aesCmac } from '@m2msec/crypto';
import { seError } from '../errors.js';
import { removeStaleTemporaries, writeFileAtomic } from '../lib/atomic-write.js';
import { Auditor } from '../lib/audit.js';
import type { CommonOptions, SecureEnvironment } from '../types.js';
import { deriveKek, newKekDerivation, type ScryptParameters } from './kek.js';
import { openKeystore, readKeystoreHeader, sealKeystore } from './keystore-file.js';
import { readKeystoreBytes, SoftwareSecureEnvironment } from './software-se.js';

export interface SoftwareSecureEnvironmentOptions extends CommonOptions {
  /** Keystore file; created on first open unless `create` is false. */
  path: string;
  /** KEK from a passphrase through scrypt ... */
  passphrase?: string | Uint8Array;
  /** ... or read from a 32-byte key file (see createKeyFile) ... */
  keyFile?: string;
  /** ... or the 32 key-file bytes themselves (resolveKekSource, from the environment). Exactly one of the three. */
  kek?: Uint8Array;
  create?: boolean;
  /** scrypt cost for a new keystore (default N = 2^15, r = 8, p = 1). */
  scrypt?: ScryptParameters;
  /** AES-CMAC implementation (RFC 4493); default: @m2msec/crypto's aesCmac. */
  aesCmac?: (key: Uint8Array, data: Uint8Array) => Uint8Array;
}

/** Open (or create) a software secure environment backed by an encrypted keystore file. */
export async function openSoftwareSecureEnvironment(
  options: SoftwareSecureEnvironmentOptions,
): Promise<SecureEnvironment> {
  const given = [options.passphrase, options.keyFile, options.kek].filter((v) => v !== undefined).length;
  if (given !== 1) throw seError('INVALID_INPUT', 'give exactly one of passphrase, keyFile or kek');
  const now = options.now ?? Date.now;
  const auditor = new Auditor('software', options.audit, options.logger, now);
  removeStaleTemporaries(options.path);
  const existing = readKeystoreBytes(options.path);
  if (existing === undefined) {
    if (options.create === false)
      throw seError('KEYSTORE_UNREADABLE', 'keystore file does not exist (create is false)');
    const kdf = newKekDerivation(options.passphrase !== undefined, options.scrypt);
    const kek = deriveKek(kdf, options);
    const content = { keys: [], credentials: [] };
    writeFileAtomic(options.path, sealKeystore(content, kdf, kek));
    options.logger?.debug('created software keystore', { kdf: kdf.type });
    return new SoftwareSecureEnvironment(
      { path: options.path, kdf, kek, auditor, logger: options.logger, now, aesCmac: options.aesCmac ?? aesCmac },
      content,
    );
  }
  const file = readKeystoreHeader(existing);
  const kek = deriveKek(file.kdf, options);
  const content = openKeystore(file, kek);
  options.logger?.debug('opened software keystore', {
    keys: content.keys.length,
    credentials: content.credentials.length,
  });
  return new SoftwareSecureEnvironment(
    {
      path: options.path,
      kdf: file.kdf,
      kek,
      auditor,
      logger: options.logger,
      now,
      aesCmac: options.aesCmac ?? aesCmac,
    },
    content,
  );
}
