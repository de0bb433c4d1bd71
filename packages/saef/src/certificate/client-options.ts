// Certificate-Based SAEF, Entity A: mutual TLS presenting an AE-ID / CSE-ID certificate and checking
// the CSE's certificate against the configured trust anchors (8.1.2.2) and its name (SNI, 10.2).
import type { ConnectionOptions } from 'node:tls';
import { CERTIFICATE_SIGALGS, certificateCipherList, ECDH_CURVE } from './ciphers.js';

export interface CertificateClientOptions {
  cert: string | Buffer;
  key: string | Buffer;
  trustAnchors: ReadonlyArray<string | Buffer>;
  /** The CSE's public domain name (SNI and the name its certificate must carry). */
  servername: string;
  tls13?: boolean;
}

export function certificateClientOptions(o: CertificateClientOptions): ConnectionOptions {
  const tls13 = o.tls13 ?? true;
  return {
    cert: o.cert,
    key: o.key,
    ca: [...o.trustAnchors],
    servername: o.servername,
    rejectUnauthorized: true,
    ciphers: certificateCipherList(tls13),
    sigalgs: CERTIFICATE_SIGALGS,
    ecdhCurve: ECDH_CURVE,
    minVersion: 'TLSv1.2',
    maxVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2',
  };
}
