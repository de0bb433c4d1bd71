// Two-pass K_PROV layout (RFC 6063 5.2.2): K_PROV = K_MAC || K_TOKEN, two parts of equal length; where
// the key type's length and the MAC algorithm's key length differ, "the greater length of the two MUST
// be chosen", and the longer part is cut to its first octets when used (an HOTP key of 20 octets with
// DSKPP-PRF-SHA256: K_PROV of 64, K_TOKEN the first 20 octets of its 32).
import { KEY_TYPE_LENGTHS, type KeyTypeUri, MAC_DSKPP_PRF_SHA256, type MacAlgorithmUri } from '../lib/uris.js';

/** Key length of the MAC algorithm: AES-128 for prf-aes-128, the SHA-256 output size for prf-sha256. */
function macKeyLength(prf: MacAlgorithmUri): number {
  return prf === MAC_DSKPP_PRF_SHA256 ? 32 : 16;
}

/** Length of each half of K_PROV. */
export function twoPassHalfLength(keyType: KeyTypeUri, prf: MacAlgorithmUri): number {
  return Math.max(KEY_TYPE_LENGTHS[keyType], macKeyLength(prf));
}

/** K_MAC (the whole first half) and K_TOKEN (the key type's length from the second half), as copies. */
export function splitTwoPassKProv(
  kProv: Uint8Array,
  keyType: KeyTypeUri,
  prf: MacAlgorithmUri,
): { kMac: Uint8Array; kToken: Uint8Array } {
  const half = twoPassHalfLength(keyType, prf);
  return {
    kMac: Uint8Array.prototype.slice.call(kProv, 0, half),
    kToken: Uint8Array.prototype.slice.call(kProv, half, half + KEY_TYPE_LENGTHS[keyType]),
  };
}
