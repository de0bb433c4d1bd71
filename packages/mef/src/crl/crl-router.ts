// GET /crl: the MEF CA's current CRL, DER, application/pkix-crl (RFC 2585 3, RFC 5280 4.2.1.13 for an
// HTTP distribution point). Public, signed data: served without authentication, cacheable until
// its nextUpdate.
import express, { type Router } from 'express';
import type { CrlPublisher } from './crl-publisher.js';

export const CRL_PATH = '/crl';

export function crlRouter(publisher: CrlPublisher): Router {
  const r = express.Router();
  r.get(CRL_PATH, (_req, res) => {
    const crl = publisher.current;
    if (!crl) {
      res.status(503).type('text/plain').send('the CRL is not available yet');
      return;
    }
    const maxAge = Math.max(0, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000));
    res
      .status(200)
      .set({
        'content-type': 'application/pkix-crl',
        'cache-control': `public, max-age=${maxAge}`,
        'last-modified': crl.thisUpdate.toUTCString(),
        expires: crl.nextUpdate.toUTCString(),
      })
      .send(Buffer.from(crl.der));
  });
  return r;
}
