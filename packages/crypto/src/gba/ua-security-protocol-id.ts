import { CryptoInputError } from '../lib/error.js';

/**
 * Ua security protocol identifiers (3GPP TS 33.220 Annex H): 5 octets, an organisation octet
 * (0x01 = 3GPP) followed by a 4-octet protocol code. For TLS per TS 33.222 the code is
 * 0x00 0x01 yy zz, where yy zz is the TLS cipher suite.
 *
 * TS-0003 defines no oneM2M Ua security protocol identifier (see DIGEST section 6). GBA-based RSPF
 * ends in a (D)TLS-PSK handshake between Enrolee and Enrolment Target (TS-0003 clause 8.3.2.3),
 * so this package defaults to the 3GPP "shared key-based mutual authentication" TLS identifier with
 * TLS_PSK_WITH_AES_128_CBC_SHA256 (0x00AE), the PSK suite that TS-0003 clause 10.2.2 makes mandatory.
 * It is a parameter everywhere; both ends of an Ua must agree on it.
 */
export function uaSecurityProtocolIdForTls(cipherSuite: number): Buffer {
  if (!Number.isInteger(cipherSuite) || cipherSuite < 0 || cipherSuite > 0xffff) {
    throw new CryptoInputError('ERR_INPUT_TYPE', `TLS cipher suite must be a 16-bit code, got ${String(cipherSuite)}`);
  }
  return Buffer.from([0x01, 0x00, 0x01, cipherSuite >>> 8, cipherSuite & 0xff]);
}

/** TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487), mandatory for TLS PSK frameworks in TS-0003 clause 10.2.2. */
export const TLS_PSK_WITH_AES_128_CBC_SHA256 = 0x00ae;

/** The default Ua security protocol identifier of this package, 01 00 01 00 AE (a fresh copy each call). */
export function defaultUaSecurityProtocolId(): Buffer {
  return uaSecurityProtocolIdForTls(TLS_PSK_WITH_AES_128_CBC_SHA256);
}
