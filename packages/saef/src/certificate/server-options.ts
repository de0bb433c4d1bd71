// Certificate-Based SAEF, Entity B (TS-0003 8.2.2.2): mutual TLS with ECDHE-ECDSA (10.2). OpenSSL
// validates the client's chain during the handshake against the configured trust anchors only
// (8.1.2.2 path validation: signatures, validity period, CRLs); no client certificate, an unknown CA,
// an expired or a revoked certificate fails the handshake. The clause 10.1 profile and the SAN
// binding are checked when the handshake completes (verifyCertificateSession).
import { constants } from 'node:crypto';
import type { TlsOptions } from 'node:tls';
import { SaefError } from '../lib/errors.js';
import { CERTIFICATE_SIGALGS, certificateCipherList, ECDH_CURVE } from './ciphers.js';

export interface CertificateServerOptions {
  /** This CSE's certificate chain (PEM) and private key (PEM). */
  cert: string | Buffer;
  key: string | Buffer;
  /** Trust anchor certificates (PEM), the only roots client chains may end in. */
  trustAnchors: ReadonlyArray<string | Buffer>;
  /**
   * CRLs (PEM). When any is given OpenSSL checks every certificate of the chain (CRL_CHECK_ALL), so
   * each CA needs a current CRL: a chain whose CA has none fails closed.
   */
  crls?: ReadonlyArray<string | Buffer>;
  /** Allow TLS 1.3 as well as the TS-0003 R3 TLS 1.2 profile; default true. */
  tls13?: boolean;
}

export function certificateServerOptions(o: CertificateServerOptions): TlsOptions {
  if (!o.trustAnchors || o.trustAnchors.length === 0) {
    throw new SaefError('INVALID_INPUT', 'the certificate framework needs at least one trust anchor');
  }
  const tls13 = o.tls13 ?? true;
  return {
    cert: o.cert,
    key: o.key,
    ca: [...o.trustAnchors],
    ...(o.crls && o.crls.length > 0 ? { crl: [...o.crls] } : {}),
    requestCert: true,
    rejectUnauthorized: true,
    ciphers: certificateCipherList(tls13),
    sigalgs: CERTIFICATE_SIGALGS,
    ecdhCurve: ECDH_CURVE,
    minVersion: 'TLSv1.2',
    maxVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2',
    // A TLS 1.2 renegotiation could present another client certificate after the association's
    // identity was bound at the first handshake (8.2.2.2); and each one is a CPU cost the peer chooses.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
}
