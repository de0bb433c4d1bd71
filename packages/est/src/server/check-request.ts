// The steps every enrolment operation shares (RFC 7030 4.2.1 / 4.2.2 / 4.4.1 with the TS-0003
// 8.3.6.2 rules): a TLS-authenticated client, a base64 PKCS#10 body, the 10.1.4 profile, proof of
// possession, the channel binding and the CA's name constraints.
import type { TlsContext } from '@m2msec/protocol';
import { type ParsedCsr, parseCsr } from '../csr/parse-csr.js';
import { verifyCsrSignature } from '../csr/verify-csr.js';
import type { CsrVerifyPool } from '../csr/verify-pool.js';
import { EstError } from '../errors.js';
import { decodeBase64Body } from '../lib/base64-body.js';
import { checkNameConstraints } from '../lib/name-constraints.js';
import { challengePasswordMatches, sessionChannelBinding } from '../tls/channel-binding.js';
import { clientIdentity, type EstClientIdentity } from '../tls/client-identity.js';
import type { EstHttpRequest, EstServerOptions } from './types.js';

export interface CheckedRequest {
  readonly identity: EstClientIdentity;
  readonly csr: ParsedCsr;
}

/**
 * Who sent the request: the TLS client identity, or (only on a server built with httpAuthentication,
 * RFC 7030 3.2.3) the user the HTTP authentication edge proved.
 */
export function requestIdentity(req: EstHttpRequest, o: EstServerOptions): EstClientIdentity {
  if (o.httpAuthentication) {
    return req.httpUser !== undefined ? { kind: 'user', username: req.httpUser } : { kind: 'anonymous' };
  }
  return req.tls ? clientIdentity(req.tls, o.ca) : { kind: 'anonymous' };
}

/** The client identity; 403 for an unauthenticated client. */
export function requireAuthenticatedClient(req: EstHttpRequest, o: EstServerOptions): EstClientIdentity {
  const identity = requestIdentity(req, o);
  if (identity.kind === 'anonymous') {
    throw new EstError(
      403,
      o.httpAuthentication
        ? 'EST enrolment on this listener requires HTTP authentication (RFC 7030 3.2.3)'
        : 'EST enrolment requires TLS client authentication with a certificate or TLS-PSK (TS-0003 8.3.6.2.1)',
    );
  }
  return identity;
}

export async function checkEnrolmentRequest(req: EstHttpRequest, o: EstServerOptions): Promise<CheckedRequest> {
  const identity = requireAuthenticatedClient(req, o);
  const type = req.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/pkcs10') throw new EstError(415, 'the request body must be application/pkcs10');
  const csr = parseCsr(decodeBase64Body(req.body, 'PKCS#10'));
  checkChannelBinding(req.tls, csr, o.channelBinding ?? 'require');
  for (const name of csr.subjectAltName) checkNameConstraints(name, o.ca.nameConstraints);
  await verifyCsrSignature(csr, (o as { verifyPool?: CsrVerifyPool }).verifyPool);
  return { identity, csr };
}

export function checkChannelBinding(
  tls: TlsContext | undefined,
  csr: ParsedCsr,
  mode: 'require' | 'if-present' | 'off',
): void {
  if (mode === 'off') return;
  if (csr.challengePassword === undefined) {
    if (mode === 'require') {
      throw new EstError(400, 'the CSR must carry the TLS channel binding in challengePassword (RFC 7030 3.5)');
    }
    return;
  }
  const binding = tls ? sessionChannelBinding(tls) : undefined;
  if (!binding || !challengePasswordMatches(csr.challengePassword, binding)) {
    throw new EstError(403, 'the CSR challengePassword does not match this TLS session (RFC 7030 3.5 channel binding)');
  }
}
