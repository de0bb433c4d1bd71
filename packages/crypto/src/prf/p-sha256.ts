import { createHmac } from 'node:crypto';
import { asBuffer, checkOutputLength } from '../lib/bytes.js';

/** Generous upper bound on one expansion (the TLS 1.2 PRF itself sets none). */
export const P_SHA256_MAX_LENGTH = 1 << 20;

/**
 * P_SHA256(secret, seed) of RFC 5246 section 5, expanded to `length` bytes:
 * A(0) = seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) ...
 * TS-0003 DerivedKey mode uses it as K = P_SHA256(K_RS-TA, identity).
 */
export function pSha256(secret: Uint8Array, seed: Uint8Array, length: number): Buffer {
  const key = asBuffer(secret, 'secret');
  const s = asBuffer(seed, 'seed');
  const n = checkOutputLength(length, P_SHA256_MAX_LENGTH);
  const out = Buffer.allocUnsafe(Math.ceil(n / 32) * 32);
  let a: Buffer = s;
  for (let off = 0; off < n; off += 32) {
    a = createHmac('sha256', key).update(a).digest();
    createHmac('sha256', key).update(a).update(s).digest().copy(out, off);
  }
  return out.subarray(0, n);
}
