// After a certificate-based handshake: the clause 10.1 profile of the chain the peer presented and
// the identity its SAN proves (8.2.2.2). A session that fails here is closed before any request.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { SaefError } from '../lib/errors.js';
import { type CertificateIdentity, certificateIdentity, type IdentityContext } from './peer-identity.js';
import { checkCertificateProfile, issuerHasNameConstraints } from './profile.js';
import { CertificateCheckCache } from './session-cache.js';

export interface CertificateSession {
  identity: CertificateIdentity;
  /** subjectAltName values as type:value, for TransportContext.tls.peerCertificate. */
  subjectAltNames: string[];
  fingerprint256: string;
  serialNumber: string;
  /** Leaf DER. */
  der: Uint8Array;
  /** notAfter of the leaf (ms since epoch): the association ends then. */
  notAfter: number;
}

/** The chain OpenSSL verified, leaf first, up to the trust anchor. */
export function peerChain(socket: TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let c = socket.getPeerCertificate(true) as (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined;
  const seen = new Set<string>();
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    chain.push(c);
    c = (c as { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return chain;
}

const defaultCache = new CertificateCheckCache();

/**
 * Profile and identity of the peer's verified chain. Results are cached per leaf fingerprint and
 * identity context (a chain OpenSSL accepted again gives the same answer); validity, trust and
 * revocation are still OpenSSL's on every handshake.
 */
export function verifyCertificateSession(
  socket: TLSSocket,
  ctx: IdentityContext,
  cache: CertificateCheckCache = defaultCache,
): CertificateSession {
  if (!socket.authorized) {
    throw new SaefError('CERTIFICATE_PROFILE', `peer certificate not verified: ${String(socket.authorizationError)}`);
  }
  const leafX509 = socket.getPeerX509Certificate();
  if (!leafX509) throw new SaefError('CERTIFICATE_PROFILE', 'no peer certificate');
  const key = `${ctx.spId} ${ctx.inCseId} ${leafX509.fingerprint256}`;
  const hit = cache.get(key);
  if (hit) {
    return {
      identity: hit.identity,
      subjectAltNames: hit.subjectAltNames,
      fingerprint256: leafX509.fingerprint256,
      serialNumber: leafX509.serialNumber,
      der: hit.der,
      notAfter: Date.parse(leafX509.validTo),
    };
  }
  const chain = peerChain(socket);
  const ders = chain.map((c) => new Uint8Array(c.raw));
  const leaf = checkCertificateProfile(ders);
  const identity = certificateIdentity(leaf.subjectAltNames, ctx);
  if (identity.kind === 'ae' && !issuerHasNameConstraints(ders)) {
    throw new SaefError(
      'CERTIFICATE_PROFILE',
      'the issuer of an AE-ID certificate must carry nameConstraints for the AE-ID host (TS-0003 10.1.1.5)',
    );
  }
  const first = chain[0]!;
  cache.set(key, {
    identity,
    subjectAltNames: leaf.subjectAltNames.map((n) => `${n.type}:${n.value}`),
    der: ders[0]!,
  });
  return {
    identity,
    subjectAltNames: leaf.subjectAltNames.map((n) => `${n.type}:${n.value}`),
    fingerprint256: first.fingerprint256,
    serialNumber: first.serialNumber,
    der: ders[0]!,
    notAfter: Date.parse(first.valid_to),
  };
}
