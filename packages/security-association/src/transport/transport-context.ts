// The TransportContext of a request that arrived over a security association (DESIGN.md section 2):
// tls = what the handshake proved, association = the identities bound to it now — those the
// credential proves plus those the Credential-ID binding holds (e.g. an AE-ID assigned at
// registration). Built synchronously, once per request, for the HTTP binding's transportContext seam.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { M2MError, ResponseStatusCode, type TransportContext } from '@m2msec/protocol';
import type { PersistentCredentialBindings } from '../bindings/persistent-bindings.js';
import { keyExporter } from '../registry/key-exporter.js';
import type { SecurityAssociationRegistry } from '../registry/registry.js';

export interface AssociationTransportOptions {
  registry: SecurityAssociationRegistry;
  bindings: Pick<PersistentCredentialBindings, 'boundIdsSync'>;
}

const plainAddress = (a: string) => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);

export function associationTransportContext(
  o: AssociationTransportOptions,
): (req: IncomingMessage) => TransportContext {
  return (req) => {
    const socket = req.socket as TLSSocket;
    const sa = o.registry.associationOf(socket);
    if (!sa) {
      // Fail closed: a TLS listener only serves sessions the SA function admitted.
      throw new M2MError(ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED, 'no security association for this session');
    }
    const boundIds = [...new Set([...sa.provenIds, ...o.bindings.boundIdsSync(sa.credentialId)])];
    const ctx: TransportContext = {
      binding: 'http',
      tls: {
        ...(sa.pskIdentity !== undefined ? { pskIdentity: sa.pskIdentity } : {}),
        ...(sa.peerCertificate
          ? {
              peerCertificate: {
                subjectAltNames: sa.peerCertificate.subjectAltNames,
                fingerprint256: sa.peerCertificate.fingerprint256,
                der: sa.peerCertificate.der,
              },
            }
          : {}),
        exportKeyingMaterial: keyExporter(socket),
      },
      association: { boundIds, credentialId: sa.credentialId, framework: sa.framework },
    };
    if (socket.remoteAddress !== undefined) {
      ctx.peerAddress = plainAddress(socket.remoteAddress);
      ctx.peerPort = socket.remotePort;
    }
    return ctx;
  };
}
