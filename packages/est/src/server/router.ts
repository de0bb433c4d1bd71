// Express binding: a Router the MEF mounts at /.well-known/est (RFC 7030 3.2.2), serving
// /<operation> and /<label>/<operation>. Bodies are read here (bounded) so nothing else in the
// app needs a body parser for EST.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import express, { type Request, type Response, type Router } from 'express';
import { EstError } from '../errors.js';
import { createEstServer, type EstServer } from './est-server.js';
import { errorResponse } from './responses.js';
import type { EstHttpResponse, EstServerOptions } from './types.js';

/** The Router, with the EST server behind it and close() for its worker threads. */
export type EstRouter = Router & { readonly estServer: EstServer; close(): Promise<void> };

/** Answers one EST request on a Node response (shared by the Router and the plain listener). */
async function serve(
  server: EstServer,
  req: IncomingMessage,
  res: ServerResponse,
  label: string | undefined,
  operation: string,
  httpUserOf?: (req: IncomingMessage) => string | undefined,
): Promise<void> {
  const limit = server.options.maxBodyBytes ?? 16 * 1024;
  let answer: EstHttpResponse;
  try {
    const body = req.method === 'POST' ? await readBody(req, limit) : new Uint8Array(0);
    answer = await server.handle(operation, {
      method: req.method ?? '',
      ...(label !== undefined ? { label } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      hasAuthorizationHeader: req.headers.authorization !== undefined,
      ...(httpUserOf && httpUserOf(req) !== undefined ? { httpUser: httpUserOf(req)! } : {}),
      body,
      socket: req.socket as TLSSocket,
    });
  } catch (e) {
    answer = e instanceof EstError ? errorResponse(e.status, e.message) : errorResponse(400, 'unreadable request body');
    if (e instanceof EstError && e.status === 413) res.setHeader('connection', 'close');
  }
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notFound(res: ServerResponse): void {
  const a = errorResponse(404, 'unknown EST operation');
  res.writeHead(a.status, a.headers).end(a.body);
}

export interface EstRouterOptions {
  /** The user an HTTP authentication edge in front proved for this request (servers with httpAuthentication). */
  httpUserOf?: (req: IncomingMessage) => string | undefined;
}

export function estRouter(options: EstServerOptions | EstServer, r: EstRouterOptions = {}): EstRouter {
  const server = 'handle' in options ? options : createEstServer(options);
  const router = express.Router();
  router.all('/:operation', (req: Request, res: Response) =>
    serve(server, req, res, undefined, String(req.params.operation), r.httpUserOf),
  );
  router.all('/:label/:operation', (req: Request, res: Response) =>
    serve(server, req, res, String(req.params.label), String(req.params.operation), r.httpUserOf),
  );
  router.use((_req, res) => notFound(res));
  return Object.assign(router, { estServer: server, close: () => server.close() });
}

/**
 * The same server as a plain Node request listener for a dedicated EST listener (no express routing
 * in front): serves `<prefix>/<operation>` and `<prefix>/<label>/<operation>`, 404 for anything else.
 */
export function estRequestListener(server: EstServer, prefix = '/.well-known/est'): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0]!;
    if (!path.startsWith(`${prefix}/`)) return notFound(res);
    const parts = path.slice(prefix.length + 1).split('/');
    let label: string | undefined;
    let operation: string;
    try {
      if (parts.length === 1 && parts[0]) operation = decodeURIComponent(parts[0]);
      else if (parts.length === 2 && parts[0] && parts[1]) {
        label = decodeURIComponent(parts[0]);
        operation = decodeURIComponent(parts[1]);
      } else return notFound(res);
    } catch {
      return notFound(res);
    }
    void serve(server, req, res, label, operation);
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new EstError(413, `request body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new EstError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
