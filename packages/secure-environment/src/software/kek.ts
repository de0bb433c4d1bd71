import { createSecretKey, type KeyObject, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { seError } from '../errors.js';
import { zeroise } from '../lib/bytes.js';

/** How the keystore's key-encryption key (KEK) is obtained; recorded in the keystore header. */
export type KekDerivation = { type: 'scrypt'; salt: string; N: number; r: number; p: number } | { type: 'key-file' };

export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/** RFC 7914 scrypt defaults: N = 2^15 costs ~100 ms here and 32 MiB of memory. */
export const defaultScrypt: ScryptParameters = { N: 2 ** 15, r: 8, p: 1 };

export function newKekDerivation(usePassphrase: boolean, params: ScryptParameters = defaultScrypt): KekDerivation {
  if (!usePassphrase) return { type: 'key-file' };
  return { type: 'scrypt', salt: randomBytes(16).toString('base64url'), N: params.N, r: params.r, p: params.p };
}

export function deriveKek(
  d: KekDerivation,
  secret: { passphrase?: string | Uint8Array; keyFile?: string; kek?: Uint8Array },
): KeyObject {
  if (d.type === 'scrypt') {
    if (secret.passphrase === undefined)
      throw seError('INVALID_INPUT', 'this keystore is protected by a passphrase; none was given');
    if (
      !Number.isInteger(Math.log2(d.N)) ||
      d.N < 2 ** 10 ||
      d.N > 2 ** 20 ||
      d.r < 1 ||
      d.r > 32 ||
      d.p < 1 ||
      d.p > 16
    ) {
      throw seError('KEYSTORE_UNREADABLE', 'keystore header has out-of-range scrypt parameters');
    }
    const kek = scryptSync(secret.passphrase, Buffer.from(d.salt, 'base64url'), 32, {
      N: d.N,
      r: d.r,
      p: d.p,
      maxmem: 256 * d.N * d.r + 1024 * 1024,
    });
    try {
      return createSecretKey(kek);
    } finally {
      zeroise(kek);
    }
  }
  // The same 32 bytes as a key file holds, handed over directly (e.g. from an environment variable).
  if (secret.kek !== undefined) {
    if (secret.kek.byteLength !== 32) throw seError('INVALID_INPUT', 'the key-encryption key must be 32 bytes');
    return createSecretKey(Buffer.from(secret.kek));
  }
  if (secret.keyFile === undefined)
    throw seError('INVALID_INPUT', 'this keystore is protected by a key file; none was given');
  let raw: Buffer;
  try {
    raw = readFileSync(secret.keyFile);
  } catch (err) {
    throw seError('INVALID_INPUT', `cannot read the key file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    if (raw.byteLength !== 32)
      throw seError('INVALID_INPUT', `the key file must hold exactly 32 bytes, it holds ${raw.byteLength}`);
    return createSecretKey(raw);
  } finally {
    zeroise(raw);
  }
}

/** Write a fresh 32-byte key-encryption key file (mode 0600). Fails if the file exists. */
export function createKeyFile(path: string): void {
  const key = randomBytes(32);
  try {
    writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  } finally {
    zeroise(key);
  }
}
