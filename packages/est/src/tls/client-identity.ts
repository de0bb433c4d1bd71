// Who the EST client is, from the TLS session only (TS-0003 8.3.6.2.1 forbids HTTP-based client
// authentication): a PSK identity (certificate-less TLS, RFC 7030 3.3.3, PPSK-based RSPF) or a
// client certificate the TLS layer verified (RFC 7030 3.3.2, certificate-based RSPF).
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { TlsContext } from '@m2msec/protocol';
import type { CertificateAuthority } from '../certificate/certificate-authority.js';
import {
  certificateSubjectAltName,
  type ParsedCertificate,
  parseCertificate,
} from '../certificate/parse-certificate.js';
import type { GeneralName } from '../lib/general-names.js';

export type EstClientIdentity =
  | { readonly kind: 'psk'; readonly pskIdentity: string }
  | {
      readonly kind: 'certificate';
      /** The verified client certificate (DER). */
      readonly certificate: Uint8Array;
      /** Node's SAN rendering ("URI:..., DNS:..."), for any issuer. */
      readonly subjectAltNameText: string;
      /** Issued by this EST CA (signature and issuer checked): then `parsed` and `subjectAltName` are set. */
      readonly issuedByThisCa: boolean;
      readonly parsed?: ParsedCertificate;
      readonly subjectAltName?: readonly GeneralName[];
    }
  /**
   * A user an HTTP authentication edge proved (RFC 7030 3.2.3, Basic / Digest inside server-only TLS).
   * Only a server built with `httpAuthentication: true` ever sees it: outside the TS-0003 EST profile.
   */
  | { readonly kind: 'user'; readonly username: string }
  | { readonly kind: 'anonymous' };

const pskIdentities = new WeakMap<TLSSocket, string>();
// Per handshake: the edge hands one TlsContext to every request of a session (rebuilt on renegotiation).
const cache = new WeakMap<TlsContext, EstClientIdentity>();

/** TLS server pskCallback for an EST server: looks the key up and remembers which identity the session used. */
export function estPskCallback(
  lookup: (identity: string) => Uint8Array | null | undefined,
): (socket: TLSSocket, identity: string) => Uint8Array | null {
  return (socket, identity) => {
    const key = lookup(identity);
    if (!key) return null;
    pskIdentities.set(socket, identity);
    return key;
  };
}

/** The PSK identity recorded by estPskCallback for this TLS session. */
export function pskIdentityOf(socket: TLSSocket): string | undefined {
  return pskIdentities.get(socket);
}

/** The client identity of a TLS session (what its handshake proved), computed once per handshake. */
export function clientIdentity(tls: TlsContext, ca: CertificateAuthority): EstClientIdentity {
  const hit = cache.get(tls);
  if (hit) return hit;
  const identity = computeIdentity(tls, ca);
  cache.set(tls, identity);
  return identity;
}

function computeIdentity(tls: TlsContext, ca: CertificateAuthority): EstClientIdentity {
  if (tls.pskIdentity !== undefined) return { kind: 'psk', pskIdentity: tls.pskIdentity };
  // Present only when the TLS layer verified the chain (an unverified certificate authenticates nobody).
  const der = tls.peerCertificate?.der;
  if (!der) return { kind: 'anonymous' };
  const peer = new X509Certificate(der);
  const base = { kind: 'certificate' as const, certificate: der, subjectAltNameText: peer.subjectAltName ?? '' };
  if (!issuedBy(peer, ca)) return { ...base, issuedByThisCa: false };
  const parsed = parseCertificate(der, 'client certificate');
  let san: GeneralName[] | undefined;
  try {
    san = certificateSubjectAltName(parsed);
  } catch {
    san = undefined;
  }
  return { ...base, issuedByThisCa: true, parsed, ...(san ? { subjectAltName: san } : {}) };
}

function issuedBy(cert: X509Certificate, ca: CertificateAuthority): boolean {
  try {
    return cert.checkIssued(ca.x509) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}
