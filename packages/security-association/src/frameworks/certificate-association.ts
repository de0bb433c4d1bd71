// Entity B of the Certificate-Based SAEF (TS-0003 8.2.2.2): after OpenSSL validated the chain, the
// clause 10.1 profile and the SAN identity are checked and the session is bound to that identity
// (AE-ID / CSE-ID) or to its Credential-ID (Node-ID, device). A failing session is closed at once.
// With a CertificateRevocation, a leaf its CRL lists (or whose issuer's CRL is past nextUpdate) is
// refused here as well: this catches resumed sessions, whose handshake validated no chain.
import type { TLSSocket } from 'node:tls';
import { type CertificateRevocation, type IdentityContext, verifyCertificateSession } from '@m2msec/saef';
import type { SecurityAssociationRegistry } from '../registry/registry.js';

export interface CertificateAssociationOptions {
  registry: SecurityAssociationRegistry;
  identityContext: IdentityContext;
  revocation?: Pick<CertificateRevocation, 'status'>;
  /**
   * This CSE's own CSE-ID (SP-relative). A client certificate that names it is refused: no peer is
   * this CSE (issue 12; a copy of the server's own certificate or a mis-issued one must not let a
   * client act as the CSE).
   */
  ownCseId?: string;
  onRefused?: (reason: string) => void;
}

export function certificateAssociationHandler(o: CertificateAssociationOptions): (socket: TLSSocket) => void {
  return (socket) => {
    try {
      const s = verifyCertificateSession(socket, o.identityContext);
      const status = o.revocation?.status(s.der) ?? 'good';
      if (status !== 'good') {
        o.onRefused?.(
          status === 'revoked'
            ? 'the peer certificate is revoked (CRL)'
            : "the CRL of the peer certificate's issuer expired",
        );
        socket.destroy();
        return;
      }
      if (s.identity.kind === 'cse' && o.ownCseId !== undefined && s.identity.id === o.ownCseId) {
        throw new Error(`the client certificate names this CSE's own CSE-ID ${o.ownCseId}`);
      }
      const proven = s.identity.kind === 'ae' || s.identity.kind === 'cse' ? [s.identity.id] : [];
      o.registry.establish(socket, {
        framework: 'certificate',
        credentialId: s.identity.credentialId,
        provenIds: proven,
        peerCertificate: {
          subjectAltNames: s.subjectAltNames,
          fingerprint256: s.fingerprint256,
          serialNumber: s.serialNumber,
          der: s.der,
        },
        expiresAt: s.notAfter,
      });
    } catch (e) {
      o.onRefused?.((e as Error).message);
      socket.destroy();
    }
  };
}
