// ECDSA signature forms: the SE returns r || s (IEEE P1363), X.509 and PKCS#10 carry
// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 2.2 / RFC 3279 2.2.3).
import { seq, unsignedInteger } from './der.js';

export function p1363ToDer(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new RangeError('P-256 signature must be 64 bytes (r || s)');
  return seq(unsignedInteger(signature.subarray(0, 32)), unsignedInteger(signature.subarray(32)));
}
