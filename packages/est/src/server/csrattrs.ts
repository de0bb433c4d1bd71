// /csrattrs (RFC 7030 4.5): the attributes the CSR must carry under the TS-0003 10.1.4 profile.
import { encodeCsrAttributes } from '../csrattrs/csr-attributes.js';
import type { EstClientIdentity } from '../tls/client-identity.js';
import { base64Response } from './responses.js';
import type { EstHttpResponse, EstServerOptions } from './types.js';

export function csrattrsHandler(o: EstServerOptions) {
  const challengePassword = (o.channelBinding ?? 'require') !== 'off';
  const generic = base64Response('application/csrattrs', encodeCsrAttributes({ challengePassword }));
  return async (identity: EstClientIdentity, label: string | undefined): Promise<EstHttpResponse> => {
    const names = identity.kind === 'anonymous' ? undefined : await o.expectedSan?.(identity, label);
    if (!names?.length) return generic;
    return base64Response('application/csrattrs', encodeCsrAttributes({ challengePassword, subjectAltName: names }));
  };
}
