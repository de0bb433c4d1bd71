// Key confirmation MAC of KeyProvServerFinished (RFC 6063 sections 4.1.3 and 5.2.x):
//   four-pass: MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || R_C || R_S, 16)
//   two-pass:  MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || R_C, 16)
// It proves to the client that the server derived (or generated) the same K_MAC, hence K_TOKEN.
import { constantTimeEqual } from '@m2msec/crypto';
import { concatBytes, utf8 } from '../lib/bytes.js';
import type { MacAlgorithmUri } from '../lib/uris.js';
import { dskppPrf } from '../prf/dskpp-prf.js';

const MAC_1 = utf8('MAC 1 computation');
export const MAC_LENGTH = 16;

export function keyConfirmationMac(
  prf: MacAlgorithmUri,
  kMac: Uint8Array,
  clientNonce: Uint8Array,
  serverNonce?: Uint8Array,
): Uint8Array {
  const s = serverNonce ? concatBytes(MAC_1, clientNonce, serverNonce) : concatBytes(MAC_1, clientNonce);
  return dskppPrf(prf, kMac, s, MAC_LENGTH);
}

export function verifyKeyConfirmationMac(
  prf: MacAlgorithmUri,
  kMac: Uint8Array,
  mac: Uint8Array,
  clientNonce: Uint8Array,
  serverNonce?: Uint8Array,
): boolean {
  return constantTimeEqual(keyConfirmationMac(prf, kMac, clientNonce, serverNonce), mac);
}
