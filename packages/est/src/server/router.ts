// EST's HTTP resources (RFC 7030 3.2.2): /<operation> and /<label>/<operation> under /.well-known/est.
// estRoutes are transport-free routes the one shared HTTP edge serves (binding-http's httpEdge, mounted
// with the prefix; the edge reads the body within the limit and reports the TLS session in
// transport.tls). estRequestListener is the same server as a dedicated plain Node listener.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { EdgeRequest, EdgeResponse, EdgeRoute, TlsContext } from '@m2msec/protocol';
import { EstError } from '../errors.js';
import { sessionTlsContext } from '../tls/session-context.js';
import type { EstServer } from './est-server.js';
import { errorResponse } from './responses.js';
import type { EstHttpResponse } from './types.js';

export interface EstRoutesOptions {
  /** The user an HTTP authentication step in front proved for this request (servers with httpAuthentication). */
  httpUserOf?: (req: EdgeRequest) => string | undefined;
}

const tooLargeMessage = (limit: number) => `request body larger than ${limit} bytes`;

function edgeAnswer(a: EstHttpResponse): EdgeResponse {
  return { status: a.status, headers: a.headers, body: a.body };
}

function handle(
  server: EstServer,
  operation: string,
  label: string | undefined,
  r: { method: string; contentType?: string; authorization: boolean; httpUser?: string; body: Uint8Array },
  tls: TlsContext | undefined,
): Promise<EstHttpResponse> {
  return server.handle(operation, {
    method: r.method,
    ...(label !== undefined ? { label } : {}),
    ...(r.contentType ? { contentType: r.contentType } : {}),
    hasAuthorizationHeader: r.authorization,
    ...(r.httpUser !== undefined ? { httpUser: r.httpUser } : {}),
    body: r.method === 'POST' ? r.body : new Uint8Array(0),
    ...(tls ? { tls } : {}),
  });
}

/** The EST resources as routes of the shared HTTP edge (mount with prefix '/.well-known/est'). */
export function estRoutes(server: EstServer, o: EstRoutesOptions = {}): EdgeRoute[] {
  const limit = server.options.maxBodyBytes ?? 16 * 1024;
  const serve = async (r: EdgeRequest, label: string | undefined, operation: string) => {
    const user = o.httpUserOf?.(r);
    const answer = await handle(
      server,
      operation,
      label,
      {
        method: r.method,
        ...(r.headers['content-type'] ? { contentType: r.headers['content-type'] } : {}),
        authorization: r.headers.authorization !== undefined,
        ...(user !== undefined ? { httpUser: user } : {}),
        body: r.body,
      },
      r.transport.tls,
    );
    return edgeAnswer(answer);
  };
  const common = { method: '*', maxBodyBytes: limit, tooLarge: edgeAnswer(errorResponse(413, tooLargeMessage(limit))) };
  return [
    { ...common, path: '/:operation', handle: (r) => serve(r, undefined, r.params.operation!) },
    { ...common, path: '/:label/:operation', handle: (r) => serve(r, r.params.label, r.params.operation!) },
    // Anything else under the mount point is no EST resource: answered here, in EST's error shape.
    { method: '*', path: '/*', handle: async () => edgeAnswer(errorResponse(404, 'unknown EST operation')) },
  ];
}

function notFound(res: ServerResponse): void {
  const a = errorResponse(404, 'unknown EST operation');
  res.writeHead(a.status, a.headers).end(a.body);
}

/**
 * The same server as a plain Node request listener for a dedicated EST listener (nothing in front):
 * serves `<prefix>/<operation>` and `<prefix>/<label>/<operation>`, 404 for anything else.
 */
export function estRequestListener(server: EstServer, prefix = '/.well-known/est'): RequestListener {
  const limit = server.options.maxBodyBytes ?? 16 * 1024;
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
    void serveNode(server, req, res, label, operation, limit);
  };
}

async function serveNode(
  server: EstServer,
  req: IncomingMessage,
  res: ServerResponse,
  label: string | undefined,
  operation: string,
  limit: number,
): Promise<void> {
  let answer: EstHttpResponse;
  try {
    const body = req.method === 'POST' ? await readBody(req, limit) : new Uint8Array(0);
    const contentType = req.headers['content-type'];
    answer = await handle(
      server,
      operation,
      label,
      {
        method: req.method ?? '',
        ...(contentType ? { contentType } : {}),
        authorization: req.headers.authorization !== undefined,
        body,
      },
      sessionTlsContext(req.socket as TLSSocket),
    );
  } catch (e) {
    answer = e instanceof EstError ? errorResponse(e.status, e.message) : errorResponse(400, 'unreadable request body');
    if (e instanceof EstError && e.status === 413) res.setHeader('connection', 'close');
  }
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new EstError(413, tooLargeMessage(limit)));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new EstError(413, tooLargeMessage(limit)));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
