import { type Cipher, createCipheriv } from 'node:crypto';
import { asBuffer } from './bytes.js';
import { CryptoInputError } from './error.js';

const CIPHER_BY_KEY_LENGTH: Record<number, string> = { 16: 'aes-128-ecb', 24: 'aes-192-ecb', 32: 'aes-256-ecb' };

/**
 * A raw AES block encryptor bound to one key. It keeps one ECB context open and never finalises it,
 * so each 16-byte update returns exactly one encrypted block without setting up OpenSSL again.
 */
export class AesBlockCipher {
  readonly #ecb: Cipher;
  readonly keyLength: number;

  constructor(key: Uint8Array, allowed: readonly number[] = [16, 24, 32]) {
    const k = asBuffer(key, 'key');
    if (!allowed.includes(k.length)) {
      throw new CryptoInputError('ERR_KEY_LENGTH', `AES key must be ${allowed.join(', ')} bytes, got ${k.length}`);
    }
    this.keyLength = k.length;
    this.#ecb = createCipheriv(CIPHER_BY_KEY_LENGTH[k.length]!, k, null).setAutoPadding(false);
  }

  /** E_K(block) for one 16-byte block. */
  encryptBlock(block: Uint8Array): Buffer {
    return this.#ecb.update(block);
  }
}

export function xorInto(target: Buffer, a: Uint8Array, b: Uint8Array): Buffer {
  for (let i = 0; i < target.length; i++) target[i] = a[i]! ^ b[i]!;
  return target;
}
