import { timingSafeEqual } from 'node:crypto';
import { asBuffer } from '../lib/bytes.js';

/**
 * Compares two secrets (MACs, keys, RES values) in time that depends only on their lengths.
 * crypto.timingSafeEqual throws on a length mismatch; here a mismatch is simply "not equal",
 * after a comparison of the same cost, so callers cannot forget the length check.
 * Lengths themselves are not hidden (they are public in every protocol that uses this).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const x = asBuffer(a, 'a');
  const y = asBuffer(b, 'b');
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}
