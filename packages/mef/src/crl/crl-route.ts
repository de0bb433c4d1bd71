// GET /crl: the MEF CA's current CRL, DER, application/pkix-crl (RFC 2585 3, RFC 5280 4.2.1.13 for an
// HTTP distribution point). Public, signed data: served without authentication, cacheable until
// its nextUpdate. A route of the shared HTTP edge.
import type { EdgeResponse, EdgeRoute } from '@m2msec/protocol';
import type { CrlPublisher } from './crl-publisher.js';

export const CRL_PATH = '/crl';

export function crlRoute(publisher: CrlPublisher): EdgeRoute {
  return {
    method: 'GET',
    path: CRL_PATH,
    async handle(): Promise<EdgeResponse> {
      const crl = publisher.current;
      if (!crl) {
        return {
          status: 503,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'the CRL is not available yet',
        };
      }
      const maxAge = Math.max(0, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000));
      return {
        status: 200,
        headers: {
          'content-type': 'application/pkix-crl',
          'cache-control': `public, max-age=${maxAge}`,
          'last-modified': crl.thisUpdate.toUTCString(),
          expires: crl.nextUpdate.toUTCString(),
        },
        body: crl.der,
      };
    },
  };
}
