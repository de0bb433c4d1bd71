// /cacerts (RFC 7030 4.1): the CA certificate(s) as certs-only PKCS#7; no client authentication
// needed (4.1.1). The encoding is fixed for the server's lifetime, so it is built once.
import { encodeCertsOnly } from '../pkcs7/certs-only.js';
import { base64Response } from './responses.js';
import type { EstHttpResponse, EstServerOptions } from './types.js';

export function cacertsHandler(o: EstServerOptions): () => EstHttpResponse {
  const response = base64Response(
    'application/pkcs7-mime',
    encodeCertsOnly([o.ca.certificate, ...(o.additionalCaCertificates ?? [])]),
  );
  return () => response;
}
