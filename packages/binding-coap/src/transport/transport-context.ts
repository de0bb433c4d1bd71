// The one place the CoAP binding turns a DTLS session into a TransportContext (DESIGN.md section 2): the
// PSK identity or the verified peer certificate, exactly as the HTTPS listener reports them, so
// authentication, authorization and impersonation checks behave the same over CoAP.
import { createHash, X509Certificate } from 'node:crypto';
import type { TlsContext, TransportContext } from '@m2msec/protocol';

export interface DtlsSessionFacts {
  peer: { address: string; port: number };
  pskIdentity?: Buffer | undefined;
  certificate?: Buffer | undefined;
  exportKeyingMaterial?(length: number, label: string, context?: Uint8Array): Buffer;
}

/** SAN entries in the `TYPE:value` form Node reports (URI:..., DNS:...), as the HTTPS binding passes them. */
function subjectAltNames(cert: X509Certificate): string[] {
  const raw = cert.subjectAltName;
  if (raw === undefined) return [];
  return raw.split(/,\s*/).filter((s) => s !== '');
}

export function coapTransportContext(session: DtlsSessionFacts): TransportContext {
  const tls: TlsContext = {};
  if (session.pskIdentity !== undefined) tls.pskIdentity = session.pskIdentity.toString('utf8');
  if (session.certificate !== undefined) {
    const der = session.certificate;
    const cert = new X509Certificate(der);
    tls.peerCertificate = {
      subjectAltNames: subjectAltNames(cert),
      fingerprint256: createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':'),
      der: new Uint8Array(der),
    };
  }
  if (session.exportKeyingMaterial !== undefined) {
    const exporter = session.exportKeyingMaterial.bind(session);
    tls.exportKeyingMaterial = (length, label, context) => new Uint8Array(exporter(length, label, context));
  }
  return { binding: 'coap', peerAddress: session.peer.address, peerPort: session.peer.port, tls };
}
