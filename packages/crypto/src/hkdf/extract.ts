import { createHmac } from 'node:crypto';
import { asBuffer } from '../lib/bytes.js';
import { digestSize, type HkdfDigest } from './digest.js';

/** HKDF-Extract (RFC 5869 section 2.2): PRK = HMAC-Hash(salt, IKM); an empty salt means HashLen zero bytes. */
export function hkdfExtract(digest: HkdfDigest, salt: Uint8Array, ikm: Uint8Array): Buffer {
  const size = digestSize(digest);
  const s = asBuffer(salt, 'salt');
  return createHmac(digest, s.length === 0 ? Buffer.alloc(size) : s)
    .update(asBuffer(ikm, 'ikm'))
    .digest();
}
