// Express binding: a Router the MEF mounts at /.well-known/est (RFC 7030 3.2.2), serving
// /<operation> and /<label>/<operation>. Bodies are read here (bounded) so nothing else in the
// app needs a body parser for EST.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import express, { type Request, type Response, type Router } from 'express';
import { EstError } from '../errors.js';
import { createEstServer, type EstServer } from './est-server.js';
import { textResponse } from './responses.js';
import type { EstHttpResponse, EstServerOptions } from './types.js';

/** The Router, with the EST server behind it and close() for its worker threads. */
export type EstRouter = Router & { readonly estServer: EstServer; close(): Promise<void> };

export function estRouter(options: EstServerOptions | EstServer): EstRouter {
  const server = 'handle' in options ? options : createEstServer(options);
  const limit = server.options.maxBodyBytes ?? 16 * 1024;
  const router = express.Router();

  const serve = async (req: Request, res: Response, label: string | undefined, operation: string) => {
    let answer: EstHttpResponse;
    try {
      const body = req.method === 'POST' ? await readBody(req, limit) : new Uint8Array(0);
      answer = await server.handle(operation, {
        method: req.method,
        ...(label !== undefined ? { label } : {}),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        hasAuthorizationHeader: req.headers.authorization !== undefined,
        body,
        socket: req.socket as TLSSocket,
      });
    } catch (e) {
      answer = e instanceof EstError ? textResponse(e.status, e.message) : textResponse(400, 'unreadable request body');
      if (e instanceof EstError && e.status === 413) res.setHeader('connection', 'close');
    }
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  router.all('/:operation', (req, res) => serve(req, res, undefined, String(req.params.operation)));
  router.all('/:label/:operation', (req, res) =>
    serve(req, res, String(req.params.label), String(req.params.operation)),
  );
  router.use((_req, res) => {
    const a = textResponse(404, 'unknown EST operation');
    res.writeHead(a.status, a.headers).end(a.body);
  });
  return Object.assign(router, { estServer: server, close: () => server.close() });
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
