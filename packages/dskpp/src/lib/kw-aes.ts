// AES key wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6): the kw-aes128 encryption algorithm used for
// EncryptedNonce (4-pass, pre-shared key) and for the 2-pass key wrap profile.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DskppError } from './errors.js';

const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function cipherName(kek: Uint8Array): string {
  if (kek.length === 16) return 'id-aes128-wrap';
  if (kek.length === 32) return 'id-aes256-wrap';
  throw new TypeError('key-encryption key must be 16 or 32 bytes');
}

export function aesKeyWrap(kek: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (plaintext.length < 16 || plaintext.length % 8 !== 0) {
    throw new TypeError('key wrap input must be at least 16 bytes and a multiple of 8');
  }
  const c = createCipheriv(cipherName(kek), kek, DEFAULT_IV);
  return new Uint8Array(Buffer.concat([c.update(plaintext), c.final()]));
}

/** Unwraps; an integrity check failure (wrong key, altered ciphertext) is InitializationFailed. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array, what: string): Uint8Array {
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    throw new DskppError('MalformedRequest', `${what} has a length that is not a key wrap output`);
  }
  try {
    const d = createDecipheriv(cipherName(kek), kek, DEFAULT_IV);
    return new Uint8Array(Buffer.concat([d.update(wrapped), d.final()]));
  } catch {
    throw new DskppError('InitializationFailed', `${what} failed the key wrap integrity check`);
  }
}
