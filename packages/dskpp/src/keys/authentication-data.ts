// User authentication data AD (RFC 6063 section 3.4.1): the client never sends its authentication
// code AC, only a MAC keyed with it:
//   four-pass: MAC = DSKPP-PRF(AC, R_C || R_S || URL_S, 16)
//   two-pass:  MAC = DSKPP-PRF(AC, R_C || URL_S, 16)   (R_S does not exist yet)
// URL_S is the server URL the client contacted; binding it stops relaying AD to another server.
import { constantTimeEqual } from '@m2msec/crypto';
import { concatBytes, utf8 } from '../lib/bytes.js';
import type { MacAlgorithmUri } from '../lib/uris.js';
import { dskppPrf } from '../prf/dskpp-prf.js';

export function authenticationDataMac(
  prf: MacAlgorithmUri,
  authenticationCode: Uint8Array,
  serverUrl: string,
  clientNonce: Uint8Array,
  serverNonce?: Uint8Array,
): Uint8Array {
  const parts = serverNonce ? [clientNonce, serverNonce, utf8(serverUrl)] : [clientNonce, utf8(serverUrl)];
  return dskppPrf(prf, authenticationCode, concatBytes(...parts), 16);
}

export function verifyAuthenticationDataMac(
  prf: MacAlgorithmUri,
  authenticationCode: Uint8Array,
  serverUrl: string,
  mac: Uint8Array,
  clientNonce: Uint8Array,
  serverNonce?: Uint8Array,
): boolean {
  return constantTimeEqual(authenticationDataMac(prf, authenticationCode, serverUrl, clientNonce, serverNonce), mac);
}

/**
 * Authentication code in the TLV layout of RFC 6063 section 3.4.1.1: type octet (1 = client ID,
 * 2 = password), length octet, value. The result is the AC both ends key the AD MAC with.
 */
export function encodeAuthenticationCode(clientId: string, password: string): Uint8Array {
  const tlv = (type: number, value: Uint8Array) => {
    if (value.length === 0 || value.length > 255)
      throw new RangeError('authentication code fields must be 1..255 bytes');
    return concatBytes(Uint8Array.of(type, value.length), value);
  };
  return concatBytes(tlv(1, utf8(clientId)), tlv(2, utf8(password)));
}
