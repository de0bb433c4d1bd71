// ESCertKE credentials (TS-0003 8.7.2.2 A and B): the end-point's own certificate and key (profile of
// clause 10.1), the trust anchors for the peer's certificate (8.1.2.4), and which peer identities the
// end-point may establish a pairwiseE2EKey with.
import { type CertificateIdentity, certificateIdentity, type IdentityContext, parseCertificate } from '@m2msec/saef';
import { EscertkeError } from './lib/errors.js';

export interface EscertkeCredentials {
  /** PEM certificate chain and private key of this end-point. */
  cert: string;
  key: string;
  /** PEM trust anchors for the peer's certificate. */
  ca: string | string[];
  /** The SP the identities belong to, to read AE-IDs / CSE-IDs from subjectAltName (TS-0003 10.1). */
  identityContext: IdentityContext;
}

/** The identity a peer certificate proves, checked against what this end-point was configured with. */
export function peerIdentity(
  der: Uint8Array | undefined,
  ctx: IdentityContext,
  allowed: (id: string) => boolean,
): CertificateIdentity {
  if (!der) throw new EscertkeError('ERR_ESCERTKE_PEER', 'the peer presented no certificate');
  let id: CertificateIdentity;
  try {
    id = certificateIdentity(parseCertificate(der).subjectAltNames, ctx);
  } catch {
    throw new EscertkeError('ERR_ESCERTKE_PEER', 'the peer certificate names no AE-ID or CSE-ID');
  }
  if (!allowed(id.id))
    throw new EscertkeError('ERR_ESCERTKE_PEER', `'${id.id}' is not an end-point this one may establish a key with`);
  return id;
}
