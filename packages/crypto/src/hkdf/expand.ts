import { createHmac } from 'node:crypto';
import { asBuffer, checkOutputLength } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';
import { digestSize, type HkdfDigest } from './digest.js';

/** HKDF-Expand (RFC 5869 section 2.3): T(i) = HMAC-Hash(PRK, T(i-1) || info || i), L <= 255 * HashLen. */
export function hkdfExpand(digest: HkdfDigest, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const size = digestSize(digest);
  const key = asBuffer(prk, 'prk');
  if (key.length < size) {
    throw new CryptoInputError('ERR_KEY_LENGTH', `prk must be at least ${size} bytes for ${digest}, got ${key.length}`);
  }
  const inf = asBuffer(info, 'info');
  const n = checkOutputLength(length, 255 * size);
  const blocks: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; i <= Math.ceil(n / size); i++) {
    t = createHmac(digest, key).update(t).update(inf).update(Uint8Array.of(i)).digest();
    blocks.push(t);
  }
  return Buffer.concat(blocks).subarray(0, n);
}
