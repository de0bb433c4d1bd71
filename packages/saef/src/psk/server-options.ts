// Provisioned Symmetric Key SAEF, Entity B (TS-0003 8.2.2.1): TLS-PSK with psk_identity = KpsaID and
// psk = Kpsa. The same server configuration carries the MAF-based framework (psk_identity =
// hexBinary(KcID)@MAF-FQDN, 8.2.2.3) and DerivedKey identities: the resolver decides per identity.
import { constants } from 'node:crypto';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { pskCipherList } from './ciphers.js';
import { rememberPskIdentity } from './session.js';

/**
 * Returns the PSK for an identity, or undefined to fail the handshake (unknown identity, expired or
 * revoked key, replayed DerivedKey identity). Synchronous: Node's pskCallback cannot await, so
 * every key it needs must already be in memory.
 */
export type PskResolver = (identity: string, socket: TLSSocket) => Uint8Array | undefined;

export interface PskServerOptions {
  resolve: PskResolver;
  /** Also offer TLS 1.3 external PSK (SHA-256 suites); default true. TS-0003 R3 names TLS 1.2 only. */
  tls13?: boolean;
  /** Optional psk_identity_hint (RFC 4279 2), e.g. the CSE-ID. */
  identityHint?: string;
  /** Called with the identity and reason when a handshake's identity is refused (never the key). */
  onRefused?: (identity: string, socket: TLSSocket) => void;
}

export function pskServerOptions(o: PskServerOptions): TlsOptions {
  const tls13 = o.tls13 ?? true;
  return {
    ciphers: pskCipherList(tls13),
    minVersion: 'TLSv1.2',
    maxVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2',
    // No TLS 1.2 renegotiation: the identity (8.2.2.1) is bound at the first handshake, and a peer must
    // not buy server CPU per renegotiation.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    ...(o.identityHint ? { pskIdentityHint: o.identityHint } : {}),
    pskCallback(socket: TLSSocket, identity: string) {
      let key: Uint8Array | undefined;
      try {
        key = o.resolve(identity, socket);
      } catch {
        key = undefined; // fail closed: a resolver error refuses the handshake
      }
      if (key === undefined || key.length === 0) {
        o.onRefused?.(identity, socket);
        return null;
      }
      rememberPskIdentity(socket, identity);
      return Buffer.isBuffer(key) ? key : Buffer.from(key);
    },
  };
}
