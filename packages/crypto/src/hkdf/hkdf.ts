import { hkdfSync } from 'node:crypto';
import { asBuffer, checkOutputLength } from '../lib/bytes.js';
import { digestSize, type HkdfDigest } from './digest.js';

/** HKDF (RFC 5869) extract-then-expand, through Node's implementation. */
export function hkdf(digest: HkdfDigest, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  const size = digestSize(digest);
  const n = checkOutputLength(length, 255 * size);
  const okm = hkdfSync(digest, asBuffer(ikm, 'ikm'), asBuffer(salt, 'salt'), asBuffer(info, 'info'), n);
  return Buffer.from(okm);
}
