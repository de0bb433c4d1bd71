// Server side of the HTTP binding (RFC 6063 section 7.2) as an express Router the MEF mounts:
//   POST <mount> with Content-Type application/dskpp+xml -> 200 application/dskpp+xml (also for
//   DSKPP-level errors, which travel as a status inside the document); wrong method 405, wrong
//   media type 415, oversized body 413. Responses are not cacheable (section 7.2.2).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DSKPP_MEDIA_TYPE } from '../lib/uris.js';
import type { DskppServer } from '../server/server.js';
import { MAX_MESSAGE_BYTES } from '../xml/parse.js';

export interface DskppRouterOptions {
  /** Body limit in bytes. Default 64 KiB. */
  limit?: number;
}

export function dskppRouter(server: DskppServer, options: DskppRouterOptions = {}): Router {
  const router = express.Router();
  const limit = options.limit ?? MAX_MESSAGE_BYTES;
  const noStore = (res: Response) => res.set({ 'cache-control': 'no-store', pragma: 'no-cache' });

  router.post(
    '/',
    (req: Request, res: Response, next: NextFunction) => {
      if (!req.is(DSKPP_MEDIA_TYPE)) {
        noStore(res).status(415).type('text/plain').send(`Content-Type must be ${DSKPP_MEDIA_TYPE}`);
        return;
      }
      next();
    },
    express.text({ type: DSKPP_MEDIA_TYPE, limit, defaultCharset: 'utf-8' }),
    async (req: Request, res: Response) => {
      const body = typeof req.body === 'string' ? req.body : '';
      const out = await server.handle(body);
      noStore(res).status(200).type(DSKPP_MEDIA_TYPE).send(out.body);
    },
  );
  // The proof of successful provisioning (docs/dskpp.md section 2): JSON, 200 when confirmed, 403 not.
  router.post('/confirmation', express.json({ limit }), async (req: Request, res: Response) => {
    const out = await server.confirmProvisioning(req.body);
    noStore(res)
      .status(out.confirmed ? 200 : 403)
      .json(out);
  });
  router.all('/', (_req, res) => {
    noStore(res).status(405).set('allow', 'POST').type('text/plain').send('DSKPP accepts POST only');
  });
  // Body parser failures (size, charset) end here: no DSKPP document can be produced for them.
  router.use((err: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status === 413 || err.type === 'entity.too.large' ? 413 : 400;
    noStore(res)
      .status(status)
      .type('text/plain')
      .send(status === 413 ? 'request too large' : 'bad request body');
  });
  return router;
}
