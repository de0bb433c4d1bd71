// Who the EST client is, from the TLS session only (TS-0003 8.3.6.2.1 forbids HTTP-based client
// authentication): a PSK identity (certificate-less TLS, RFC 7030 3.3.3, PPSK-based RSPF) or a
// client certificate the TLS layer verified (RFC 7030 3.3.2, certificate-based RSPF).
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
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
const cache = new WeakMap<TLSSocket, { finished: Buffer | undefined; identity: EstClientIdentity }>();

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

/** The client identity of a TLS session, computed once per handshake. */
export function clientIdentity(socket: TLSSocket, ca: CertificateAuthority): EstClientIdentity {
  // A renegotiation produces new Finished messages: the cache entry is keyed by them.
  const finished = socket.getPeerFinished();
  const hit = cache.get(socket);
  if (hit && sameBuffer(hit.finished, finished)) return hit.identity;
  const identity = computeIdentity(socket, ca);
  cache.set(socket, { finished, identity });
  return identity;
}

function computeIdentity(socket: TLSSocket, ca: CertificateAuthority): EstClientIdentity {
  const psk = pskIdentities.get(socket);
  if (psk !== undefined) return { kind: 'psk', pskIdentity: psk };
  if (!socket.authorized) return { kind: 'anonymous' };
  const peer = socket.getPeerX509Certificate();
  if (!peer) return { kind: 'anonymous' };
  const der = new Uint8Array(peer.raw);
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

function sameBuffer(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (!a || !b) return a === b;
  return a.equals(b);
}
