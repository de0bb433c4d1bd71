// TLS-PSK glue for GBA-based RSPF (TS-0003 8.3.2.3, 10.2.2; TS 33.222 5.4): psk_identity = B-TID
// (= KmID / KpsaID), psk = Ks_NAF (= Km / Kpsa), cipher suite TLS_PSK_WITH_AES_128_CBC_SHA256 (0x00AE),
// which is also the suite named in the default Ua security protocol id.
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { NafKeyCache } from '../naf/key-cache.js';
import type { BootstrapSession } from '../ue/bootstrap-session.js';

/** OpenSSL name of TLS_PSK_WITH_AES_128_CBC_SHA256, mandatory in TS-0003 10.2.2. */
export const GBA_TLS_PSK_CIPHERS = 'PSK-AES128-CBC-SHA256';
/** The PSK identity hint a NAF sends for GBA-based shared-key TLS (TS 33.222 5.4.0.1). */
export const GBA_PSK_IDENTITY_HINT = '3GPP-bootstrapping';

/** The device's PSK for a NAF: identity = B-TID, key = Ks_NAF. */
export function uePskForNaf(
  session: BootstrapSession,
  nafFqdn: string,
  uaSecurityProtocolId?: Uint8Array,
): { identity: string; psk: Buffer } {
  return { identity: session.btid, psk: session.deriveKsNaf(nafFqdn, uaSecurityProtocolId) };
}

/** tls.connect options for the device: TLS 1.2 PSK with the GBA key for `nafFqdn`. */
export function ueTlsPskOptions(
  session: BootstrapSession,
  nafFqdn: string,
  options: { uaSecurityProtocolId?: Uint8Array; ciphers?: string } = {},
): ConnectionOptions {
  const { identity, psk } = uePskForNaf(session, nafFqdn, options.uaSecurityProtocolId);
  return {
    ciphers: options.ciphers ?? GBA_TLS_PSK_CIPHERS,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    pskCallback: () => ({ identity, psk }),
    // No certificate: the PSK authenticates the NAF.
    checkServerIdentity: () => undefined,
  };
}

/** tls.createServer options for the NAF: the synchronous PSK lookup in the key cache. */
export function nafTlsPskOptions(cache: NafKeyCache, options: { ciphers?: string } = {}): TlsOptions {
  return {
    ciphers: options.ciphers ?? GBA_TLS_PSK_CIPHERS,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    pskIdentityHint: GBA_PSK_IDENTITY_HINT,
    pskCallback: cache.pskCallback,
  };
}
