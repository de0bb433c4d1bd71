// What a certificate listener does when its CRLs change (issue 12 item 6, TS-0003 8.1.2.2): the new
// CRLs go into its secure context (OpenSSL refuses revoked chains in later handshakes) and every
// live certificate association whose leaf is now revoked is torn down (its socket is destroyed: the
// next request on it fails and the client sees the connection closed).
import type { Server } from 'node:tls';
import { type CertificateRevocation, type CertificateServerOptions, certificateServerOptions } from '@m2msec/saef';
import type { SecurityAssociationRegistry } from '../registry/registry.js';

export interface CertificateRevocationWiring {
  server: Pick<Server, 'setSecureContext'>;
  /** The listener's options without CRLs (the revocation's CRLs are added). */
  tls: Omit<CertificateServerOptions, 'crls'>;
  revocation: CertificateRevocation;
  registry: SecurityAssociationRegistry;
}

/** The listener's TLS options with the current CRLs. */
export function revocationServerOptions(w: Pick<CertificateRevocationWiring, 'tls' | 'revocation'>) {
  return certificateServerOptions({ ...w.tls, crls: w.revocation.pems });
}

/** Subscribes the listener to CRL changes; returns the unsubscribe function. */
export function applyCertificateRevocation(w: CertificateRevocationWiring): () => void {
  return w.revocation.onChange(() => {
    w.server.setSecureContext(revocationServerOptions(w));
    w.registry.teardown(
      (a) =>
        a.framework === 'certificate' &&
        a.peerCertificate !== undefined &&
        w.revocation.status(a.peerCertificate.der) !== 'good',
      'certificate revoked',
    );
  });
}
