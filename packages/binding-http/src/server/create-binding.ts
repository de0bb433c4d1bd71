// The HTTP binding (TS-0009): an express Router that maps each HTTP request to a request primitive,
// calls the CSE's RequestHandler with the TransportContext, and maps the response back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type HandlerResponse,
  INTERNAL_MESSAGE,
  isM2msecError,
  type RequestHandler,
  ResponseStatusCode,
} from '@m2msec/protocol';
import express, { type Express, type Router } from 'express';
import { Header } from '../lib/headers.js';
import type { BindingLogger } from '../lib/logger.js';
import { decodeHttpRequest } from '../request/decode-request.js';
import { contentLocation } from '../response/content-location.js';
import { encodeHttpResponse } from '../response/encode-response.js';
import { httpTransportContextBuilder, type TransportContextBuilder } from '../transport/transport-context.js';
import { bodyReader, ClientAborted } from './read-body.js';
import { writeResponse } from './write-response.js';

export interface HttpBindingOptions {
  /** The CSE as the binding sees it. */
  handler: RequestHandler;
  /** SP-relative CSE-ID of the hosting CSE, e.g. '/id-in'. */
  cseId: string;
  /** resourceName of its <CSEBase>, e.g. 'cse-in'. */
  cseBaseName: string;
  /** M2M-SP-ID without '//', e.g. 'm2msec.example'. */
  spId: string;
  /** Largest accepted message-body in bytes (default 1 MiB); larger -> 4000. */
  maxBodyBytes?: number;
  /** Reverse proxies (addresses or CIDR) whose X-Forwarded-For is believed; default none. */
  trustedProxies?: readonly string[];
  /** Replaces the plain-HTTP TransportContext builder, e.g. by a TLS listener that adds `tls`. */
  transportContext?: TransportContextBuilder;
  logger?: BindingLogger;
}

export interface ListenOptions {
  host?: string;
  port?: number;
  /** Idle time before a persistent connection is closed (default 65 s). */
  keepAliveTimeoutMs?: number;
}

export interface HttpBinding {
  /** Mountable handler: `parent.use('/prefix', binding.router)`. Mount it before any body parser. */
  readonly router: Router;
  /** A minimal express app serving only the router (what `listen` serves; usable with https.createServer). */
  readonly app: Express;
  /**
   * The binding as a plain Node request listener, without express routing: for a server whose every
   * other path is dispatched before it (the fastest way in; Content-Location has no mount prefix).
   */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** The standalone server once `listen` resolved. */
  readonly server: Server | undefined;
  readonly cseId: string;
  readonly cseBaseName: string;
  readonly spId: string;
  /** Starts a standalone HTTP/1.1 server with persistent connections; resolves with its address. */
  listen(opts?: ListenOptions): Promise<AddressInfo>;
  /** Stops accepting, closes idle connections, waits for in-flight requests (forced after `graceMs`). */
  close(opts?: { graceMs?: number }): Promise<void>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** The one text a client gets for a failure nobody anticipated (protocol's error model, docs/errors.md). */
const GENERIC_5000 = INTERNAL_MESSAGE;

function checkConfig(o: HttpBindingOptions): void {
  if (typeof o.handler !== 'function') throw new TypeError('createHttpBinding: handler must be a function');
  if (!/^\/[A-Za-z0-9\-._~]+$/.test(o.cseId))
    throw new TypeError(`createHttpBinding: cseId '${o.cseId}' is not '/<csi>'`);
  if (!/^[A-Za-z0-9\-._~]+$/.test(o.cseBaseName)) throw new TypeError('createHttpBinding: cseBaseName is malformed');
  if (!/^[A-Za-z0-9\-._~]+$/.test(o.spId)) throw new TypeError(`createHttpBinding: spId '${o.spId}' is malformed`);
  const max = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(max) || max < 0)
    throw new TypeError('createHttpBinding: maxBodyBytes must be an integer >= 0');
}

/** The request's X-M2M-RI when it is present exactly once (echoed even on errors the binding raises). */
/** The express mount prefix, or '' when the binding serves as a plain Node request listener. */
function mountPathOf(req: IncomingMessage): string {
  return (req as Partial<express.Request>).baseUrl ?? '';
}

function requestIdOf(req: IncomingMessage): string | undefined {
  const v = req.headersDistinct[Header.requestId];
  return v?.length === 1 && v[0] !== '' ? v[0] : undefined;
}

export function createHttpBinding(options: HttpBindingOptions): HttpBinding {
  checkConfig(options);
  const { handler, logger } = options;
  const ids = { cseId: options.cseId, spId: options.spId };
  const readBody = bodyReader(options.maxBodyBytes ?? DEFAULT_MAX_BODY);
  const buildTransport =
    options.transportContext ?? httpTransportContextBuilder({ trustedProxies: options.trustedProxies ?? [] });

  const errorResponse = (rsc: number, message: string, rqi: string | undefined): HandlerResponse => ({
    rsc: rsc as HandlerResponse['rsc'],
    rqi: rqi ?? '',
    dbg: message,
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rqi = requestIdOf(req);
    let rsp: HandlerResponse;
    let closeConnection = false;
    try {
      const body = await readBody(req, res);
      const transport = buildTransport(req);
      const primitive = decodeHttpRequest({
        method: req.method ?? '',
        url: req.url ?? '/',
        headers: req.headersDistinct,
        body,
      });
      try {
        rsp = await handler(primitive, transport);
      } catch (e) {
        if (!isM2msecError(e)) throw e;
        rsp = errorResponse(e.rsc, e.message, rqi);
      }
    } catch (e) {
      if (e instanceof ClientAborted) return;
      if (isM2msecError(e)) {
        rsp = errorResponse(e.rsc, e.message, rqi);
        // The unread rest of an oversized body is not worth draining.
        closeConnection = !req.complete;
      } else {
        logger?.({ level: 'error', message: 'request failed with an unexpected error', rqi, error: e });
        rsp = errorResponse(ResponseStatusCode.INTERNAL_SERVER_ERROR, GENERIC_5000, rqi);
      }
    }
    try {
      const location = rsp.location === undefined ? undefined : contentLocation(rsp.location, ids, mountPathOf(req));
      writeResponse(res, encodeHttpResponse(rsp, { requestId: rqi, location }), closeConnection);
    } catch (e) {
      logger?.({ level: 'error', message: 'response primitive could not be encoded as HTTP', rqi, error: e });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const fallback = errorResponse(ResponseStatusCode.INTERNAL_SERVER_ERROR, GENERIC_5000, rqi);
      writeResponse(res, encodeHttpResponse(fallback, { requestId: rqi }), closeConnection);
    }
  }

  const router = express.Router();
  router.use((req, res, next) => {
    serve(req, res).catch(next);
  });
  // Last resort, reached only by a bug: never express's default page (it would show a stack trace).
  router.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    logger?.({ level: 'error', message: 'unexpected error in the HTTP binding', rqi: requestIdOf(req), error: err });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const rsp = errorResponse(ResponseStatusCode.INTERNAL_SERVER_ERROR, GENERIC_5000, requestIdOf(req));
    writeResponse(res, encodeHttpResponse(rsp, { requestId: requestIdOf(req) }), true);
  });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(router);

  let server: Server | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((err) => {
      logger?.({ level: 'error', message: 'unexpected error in the HTTP binding', rqi: requestIdOf(req), error: err });
      if (res.headersSent) res.destroy();
      else {
        const rsp = errorResponse(ResponseStatusCode.INTERNAL_SERVER_ERROR, GENERIC_5000, requestIdOf(req));
        writeResponse(res, encodeHttpResponse(rsp, { requestId: requestIdOf(req) }), true);
      }
    });
  };

  return {
    router,
    app,
    handle,
    get server() {
      return server;
    },
    cseId: options.cseId,
    cseBaseName: options.cseBaseName,
    spId: options.spId,
    async listen(opts: ListenOptions = {}) {
      if (server !== undefined) throw new Error('HttpBinding.listen: already listening');
      const s = createServer(app);
      s.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 65_000;
      s.headersTimeout = s.keepAliveTimeout + 1_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
      return s.address() as AddressInfo;
    },
    async close(opts: { graceMs?: number } = {}) {
      const s = server;
      if (s === undefined) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const force = setTimeout(() => s.closeAllConnections(), opts.graceMs ?? 5_000);
      await closed;
      clearTimeout(force);
    },
  };
}
