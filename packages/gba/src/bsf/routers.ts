// Express bindings. The MEF mounts ubRouter where devices reach it (plain HTTP is allowed: HTTP Digest
// AKA authenticates both ends, TS 33.220 4.5.2) and znRouter on an HTTPS listener for Enrolment Targets.
import type { IncomingMessage } from 'node:http';
import express, { type Response, type Router } from 'express';
import { isGbaError } from '../lib/errors.js';
import { errorAnswer, type HttpAnswer, textAnswer } from './answer.js';
import type { Bsf } from './create-bsf.js';
import { readBody } from './read-body.js';

/** Proves which NAF FQDNs a Zn caller speaks for; undefined when it presented no valid credential. */
export type NafAuthenticator = (req: IncomingMessage) => readonly string[] | undefined;

export interface ZnRouterOptions {
  readonly authenticate: NafAuthenticator;
  /** Largest accepted body, bytes; default 4096. */
  readonly maxBodyBytes?: number;
}

const send = (res: Response, a: HttpAnswer) => {
  res.writeHead(a.status, a.headers).end(a.body);
};

/** Store or SE failures: a plain 500 without details (they stay server-side), never a stack trace. */
const internalError = (res: Response) => () => {
  if (!res.headersSent) send(res, textAnswer(500, 'BSF internal error; try again later'));
  else res.destroy();
};

/** Ub (TS 24.109 5.3.2): every GET on the mount point is a Ub step; the request target is the Digest uri. */
export function ubRouter(bsf: Bsf): Router {
  const router = express.Router();
  router.use((req, res) => {
    const authorization = req.headers.authorization;
    bsf
      .handleUb({ method: req.method, uri: req.originalUrl, ...(authorization !== undefined ? { authorization } : {}) })
      .then((a) => send(res, a), internalError(res));
  });
  return router;
}

/** Zn: POST <mount>/ks-naf with {btid, nafFqdn, uaSecurityProtocolId?}. */
export function znRouter(bsf: Bsf, options: ZnRouterOptions): Router {
  const limit = options.maxBodyBytes ?? 4096;
  const router = express.Router();
  router.all('/ks-naf', (req, res) => {
    const run = async () => {
      let body: Buffer;
      try {
        body = req.method === 'POST' ? await readBody(req, limit) : Buffer.alloc(0);
      } catch (e) {
        if (isGbaError(e)) {
          res.setHeader('connection', 'close');
          return send(res, errorAnswer(e));
        }
        throw e;
      }
      const contentType = req.headers['content-type'];
      send(
        res,
        await bsf.handleZn({
          method: req.method,
          authenticatedNafFqdns: options.authenticate(req),
          ...(contentType !== undefined ? { contentType } : {}),
          body,
        }),
      );
    };
    run().catch(internalError(res));
  });
  router.use((_req, res) => send(res, textAnswer(404, 'unknown Zn resource; use POST ks-naf')));
  return router;
}
