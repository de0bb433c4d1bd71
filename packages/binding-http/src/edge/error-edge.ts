// The last handler of every HTTP server in m2msec (the IN-CSE's and MN-CSE's admin paths, the MEF and
// MAF listeners, EST, GBA and DSKPP mounts): whatever a route or a body parser failed with, the client
// gets a short JSON answer in the oneM2M error shape (TS-0009 6.4.17 X-M2M-RSC, body {"m2m:dbg": text},
// TS-0004 Table 6.6.3.x) or, where the protocol defines its own error body (RFC 7030 4.2.3 text, RFC 6063
// 7.2 text outside a DSKPP document), a text/plain one. Never express's default page (an HTML stack trace
// with paths and versions), and the log line never carries the raw body nor an unescaped control byte.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeErrorForLog,
  INTERNAL_CODE,
  INTERNAL_MESSAGE,
  isM2msecError,
  ResponseStatusCode,
} from '@m2msec/protocol';
import { httpStatusFor } from '../response/status-mapping.js';

export type ErrorBodyShape = 'onem2m' | 'text';

export interface HttpErrorEdgeOptions {
  /** 'onem2m' (default): X-M2M-RSC + {"m2m:dbg"}; 'text': text/plain (EST, DSKPP, GBA error shapes). */
  shape?: ErrorBodyShape;
  /** Where server faults are reported; fields are escaped and never hold a body, header or stack. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ClassifiedHttpError {
  /** HTTP status code to answer with. */
  status: number;
  rsc: ResponseStatusCode;
  /** Stable machine-readable code (the error's own, or what the body parser reported). */
  code: string;
  /** Fixed text for the client: never the error's own message (it may quote the body). */
  message: string;
  /** True when the client sent something unacceptable; false for a server fault. */
  clientFault: boolean;
}

/**
 * Maps what reached the edge to an answer. body-parser's errors carry `type` (entity.parse.failed,
 * entity.too.large, ...); an M2MError keeps its code and message (those are written for clients).
 */
export function classifyHttpError(err: unknown): ClassifiedHttpError {
  if (isM2msecError(err)) {
    return {
      status: httpStatusFor(err.rsc),
      rsc: err.rsc,
      code: err.code,
      message: err.message,
      clientFault: err.rsc < 5000,
    };
  }
  const e = (err ?? {}) as { type?: unknown; status?: unknown; statusCode?: unknown };
  const type = typeof e.type === 'string' ? e.type : '';
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 0;
  const bad = (
    httpStatus: number,
    code: string,
    message: string,
    rsc: ResponseStatusCode = ResponseStatusCode.BAD_REQUEST,
  ) => ({ status: httpStatus, rsc, code, message, clientFault: true });
  switch (type) {
    case 'entity.parse.failed':
      return bad(400, 'BODY_NOT_JSON', 'the body is not valid JSON');
    case 'entity.too.large':
      return bad(413, 'BODY_TOO_LARGE', 'the body is too large');
    case 'parameters.too.many':
      return bad(413, 'BODY_TOO_LARGE', 'the body has too many parameters');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return bad(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'the body encoding or charset is not supported',
        ResponseStatusCode.UNSUPPORTED_MEDIA_TYPE,
      );
    case 'request.size.invalid':
      return bad(400, 'BODY_UNREADABLE', 'the body length does not match Content-Length');
    case 'request.aborted':
      return bad(400, 'BODY_UNREADABLE', 'the request body was not completed');
  }
  if (err instanceof SyntaxError) return bad(400, 'BODY_NOT_JSON', 'the body is not valid JSON');
  if (status >= 400 && status < 500) return bad(status, 'BAD_REQUEST', 'the request cannot be served');
  return {
    status: 500,
    rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
    code: INTERNAL_CODE,
    message: INTERNAL_MESSAGE,
    clientFault: false,
  };
}

/** Writes the error answer on a Node response (for plain request listeners and express alike). */
export function writeHttpError(
  req: IncomingMessage,
  res: ServerResponse,
  c: ClassifiedHttpError,
  shape: ErrorBodyShape,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  let body: string;
  if (shape === 'onem2m') {
    headers['content-type'] = 'application/json';
    headers['x-m2m-rsc'] = String(c.rsc);
    const ri = req.headers['x-m2m-ri'];
    if (typeof ri === 'string' && ri.length > 0 && ri.length <= 255 && !/[^\x20-\x7e]/.test(ri))
      headers['x-m2m-ri'] = ri;
    body = JSON.stringify({ 'm2m:dbg': c.message, code: c.code });
  } else {
    headers['content-type'] = 'text/plain; charset=utf-8';
    body = c.message;
  }
  // An unread remainder of the body (too large, aborted) is not worth draining.
  if (!req.complete) headers.connection = 'close';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(c.status, headers).end(req.method === 'HEAD' ? undefined : body);
}

/** Express error middleware (four parameters) answering every error as described above. */
export function httpErrorEdge(o: HttpErrorEdgeOptions = {}) {
  const shape = o.shape ?? 'onem2m';
  return (err: unknown, req: IncomingMessage, res: ServerResponse, _next: (e?: unknown) => void): void => {
    const c = classifyHttpError(err);
    if (!c.clientFault)
      o.log?.('request failed with an unexpected error', { code: c.code, error: describeErrorForLog(err) });
    writeHttpError(req, res, c, shape);
  };
}

/** Express final handler for unmatched paths: 4004 / 404 in the same shape (never express's HTML page). */
export function httpNotFound(o: { shape?: ErrorBodyShape; message?: string } = {}) {
  const shape = o.shape ?? 'onem2m';
  const message = o.message ?? 'no such resource';
  return (req: IncomingMessage, res: ServerResponse): void => {
    writeHttpError(
      req,
      res,
      { status: 404, rsc: ResponseStatusCode.NOT_FOUND, code: 'NOT_FOUND', message, clientFault: true },
      shape,
    );
  };
}
