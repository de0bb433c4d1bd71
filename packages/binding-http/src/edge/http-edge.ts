// The one shared HTTP edge (issue 11 item 2): serves transport-free routes (protocol's EdgeRoute) on a
// Node HTTP(S) server or inside an express app. It matches the route, reads the body within the route's
// limit, builds the TransportContext from the socket, calls the handler and writes its answer. Whatever
// fails on the way becomes a JSON answer with a code (a thrown M2msecError keeps its code, rsc and
// message; anything else is a 500 INTERNAL with a fixed text whose details stay in one escaped log line).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  clientErrorOf,
  compileRoute,
  type EdgeRequest,
  type EdgeRoute,
  errorLogFields,
  type HttpEdgeListener,
  type HttpEdgeOptions,
  matchPath,
  ResponseStatusCode,
} from '@m2msec/protocol';
import { BodyTooLarge, BodyUnreadable, discardBody, readEdgeBody } from './read-body.js';
import { edgeTransportOf } from './transport-of.js';
import { edgeErrorResponse, writeEdgeResponse } from './write-answer.js';

const DEFAULT_LIMIT = 16 * 1024;
/** How much of a refused body is read and dropped so the answer arrives (discardBody), and for how long. */
const DISCARD_LIMIT = 8 * 1024 * 1024;
const DISCARD_MS = 5000;
const BASE_HEADERS = ['content-type', 'content-transfer-encoding', 'accept', 'authorization', 'x-m2m-ri', 'x-m2m-rvi'];

function headerSubset(req: IncomingMessage, extra: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of extra ? [...BASE_HEADERS, ...extra] : BASE_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v)) out[name] = v.join(', ');
  }
  return out;
}

export function httpEdge(routes: readonly EdgeRoute[], o: HttpEdgeOptions = {}): HttpEdgeListener {
  const compiled = routes.map(compileRoute);
  const shape = o.errorShape ?? 'json';
  const prefix = o.prefix?.replace(/\/+$/, '') ?? '';
  const transportOf = o.transportOf ?? edgeTransportOf(o.pskIdentityOf);
  return (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    // express strips its mount path into req.url and keeps the original in originalUrl.
    const url = req.url ?? '/';
    const target = (req as { originalUrl?: string }).originalUrl ?? url;
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    const notFound = () => {
      if (next) return next();
      const message = o.notFoundMessage ?? 'no such resource';
      writeEdgeResponse(
        req,
        res,
        edgeErrorResponse(req, { rsc: ResponseStatusCode.NOT_FOUND, code: 'NOT_FOUND', message }, shape),
      );
    };
    if (prefix) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return notFound();
      path = path.slice(prefix.length) || '/';
    }
    const method = (req.method ?? '').toUpperCase();
    let params: Record<string, string> | undefined;
    let route: EdgeRoute | undefined;
    for (const c of compiled) {
      if (c.route.method !== '*' && c.route.method !== method) continue;
      params = matchPath(c, path);
      if (params) {
        route = c.route;
        break;
      }
    }
    if (!route || !params) return notFound();
    void serve(req, res, route, {
      method,
      path,
      target,
      params,
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    });
  };

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: EdgeRoute,
    r: Pick<EdgeRequest, 'method' | 'path' | 'target' | 'params' | 'query'>,
  ): Promise<void> {
    try {
      const body = await readEdgeBody(req, route.maxBodyBytes ?? DEFAULT_LIMIT);
      const answer = await route.handle({
        ...r,
        headers: headerSubset(req, route.headers),
        body,
        transport: transportOf(req),
      });
      writeEdgeResponse(req, res, answer);
    } catch (e) {
      // The refused rest of the body is read and dropped first (bounded), so the client gets the answer.
      if (e instanceof BodyTooLarge) await discardBody(req, DISCARD_LIMIT, DISCARD_MS);
      if (e instanceof BodyTooLarge && route.tooLarge) writeEdgeResponse(req, res, { ...route.tooLarge, close: true });
      else writeEdgeResponse(req, res, errorAnswer(req, e));
    }
  }

  function errorAnswer(req: IncomingMessage, e: unknown) {
    if (e instanceof BodyTooLarge) {
      return {
        ...edgeErrorResponse(
          req,
          { rsc: ResponseStatusCode.BAD_REQUEST, code: 'BODY_TOO_LARGE', message: e.message, status: 413 },
          shape,
        ),
        close: true,
      };
    }
    if (e instanceof BodyUnreadable) {
      return {
        ...edgeErrorResponse(
          req,
          { rsc: ResponseStatusCode.BAD_REQUEST, code: 'BODY_UNREADABLE', message: e.message },
          shape,
        ),
        close: true,
      };
    }
    // protocol's error model: an M2msecError as written for clients, anything else 5000 INTERNAL.
    const c = clientErrorOf(e);
    if (c.internal) o.log?.('request failed with an unexpected error', errorLogFields(e));
    else if (c.rsc >= 5000) o.log?.('request failed', errorLogFields(e));
    return edgeErrorResponse(req, { rsc: c.rsc, code: c.code, message: c.message }, shape);
  }
}
