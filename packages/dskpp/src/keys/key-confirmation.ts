// Key confirmation MAC of KeyProvServerFinished (RFC 6063):
//   msg_hash = SHA-256(msg_1 || ... || msg_n)   (3.4.3: every DSKPP message of the run before this one)
//   four-pass (4.2.4): MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || msg_hash, len(msg_hash))
//   two-pass  (5.2.2): MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || msg_hash || ServerID, len(msg_hash))
// It proves to the client that the server holds the same K_MAC, hence K_TOKEN, and saw the same run.
// The stateless 4-pass server keeps no message between passes, so its msg_hash covers only
// KeyProvClientNonce (docs/dskpp.md section 1); the client accepts that form as well.
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '@m2msec/crypto';
import { concatBytes, utf8 } from '../lib/bytes.js';
import type { MacAlgorithmUri } from '../lib/uris.js';
import { dskppPrf } from '../prf/dskpp-prf.js';

const MAC_1 = utf8('MAC 1 computation');
/** len(msg_hash): SHA-256. */
export const MAC_LENGTH = 32;

/** 3.4.3: the messages as sent (the documents' octets), concatenated, hashed with SHA-256. */
export function messageHash(...messages: readonly string[]): Uint8Array {
  const h = createHash('sha256');
  for (const m of messages) h.update(m, 'utf8');
  return new Uint8Array(h.digest());
}

export function keyConfirmationMac(
  prf: MacAlgorithmUri,
  kMac: Uint8Array,
  msgHash: Uint8Array,
  serverId?: string,
): Uint8Array {
  const s = concatBytes(MAC_1, msgHash, ...(serverId !== undefined ? [utf8(serverId)] : []));
  return dskppPrf(prf, kMac, s, msgHash.length);
}

export function verifyKeyConfirmationMac(
  prf: MacAlgorithmUri,
  kMac: Uint8Array,
  mac: Uint8Array,
  msgHash: Uint8Array,
  serverId?: string,
): boolean {
  return constantTimeEqual(keyConfirmationMac(prf, kMac, msgHash, serverId), mac);
}
