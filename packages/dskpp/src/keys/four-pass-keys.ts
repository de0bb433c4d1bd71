// Four-pass key agreement (RFC 6063 section 4.1.2): both ends compute
//   K_PROV = DSKPP-PRF(k, s, dsLen), k = R_C, s = "Key generation" || K || R_S
// where K is the key that encrypted R_C (here the pre-shared K_SHARED) and dsLen = 2 * |K_TOKEN|;
// the first half of K_PROV is K_MAC, the second half K_TOKEN.
import { concatBytes, utf8, zeroize } from '../lib/bytes.js';
import type { MacAlgorithmUri } from '../lib/uris.js';
import { dskppPrf } from '../prf/dskpp-prf.js';

const KEY_GENERATION = utf8('Key generation');

export interface ProvisioningKeys {
  /** K_MAC: key confirmation (MAC 1) key. */
  kMac: Uint8Array;
  /** K_TOKEN: the provisioned key. */
  kToken: Uint8Array;
}

export function deriveFourPassKeys(
  prf: MacAlgorithmUri,
  clientNonce: Uint8Array,
  sharedKey: Uint8Array,
  serverNonce: Uint8Array,
  tokenLength: number,
): ProvisioningKeys {
  const kProv = dskppPrf(prf, clientNonce, concatBytes(KEY_GENERATION, sharedKey, serverNonce), 2 * tokenLength);
  const keys = {
    kMac: Uint8Array.prototype.slice.call(kProv, 0, tokenLength),
    kToken: Uint8Array.prototype.slice.call(kProv, tokenLength),
  };
  zeroize(kProv);
  return keys;
}
