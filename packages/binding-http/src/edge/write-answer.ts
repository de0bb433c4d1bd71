// Writing an EdgeResponse and the edge's own error answers (issue 19 item 6): always JSON with a stable
// code and a message a person can act on; never a stack, never the body or an OpenSSL text alone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EdgeErrorShape, EdgeResponse } from '@m2msec/protocol';
import { httpStatusFor } from '../response/status-mapping.js';

export function writeEdgeResponse(req: IncomingMessage, res: ServerResponse, a: EdgeResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = a.body === undefined ? Buffer.alloc(0) : typeof a.body === 'string' ? Buffer.from(a.body) : a.body;
  const headers: Record<string, string | string[]> = {
    ...(a.headers as Record<string, string | string[]>),
    'content-length': String(body.length),
  };
  if (a.rsc !== undefined) Object.assign(headers, onem2mHeaders(req, a.rsc));
  if (a.close || !req.complete) headers.connection = 'close';
  res.writeHead(a.status ?? (a.rsc !== undefined ? httpStatusFor(a.rsc) : 500), headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface EdgeError {
  rsc: number;
  code: string;
  message: string;
  /** HTTP status; default from the rsc (TS-0009 Table 6.3.2-1). */
  status?: number;
}

/** The answer for an error the edge writes itself, in the shape the served API uses. */
export function edgeErrorResponse(req: IncomingMessage, e: EdgeError, shape: EdgeErrorShape): EdgeResponse {
  const status = e.status ?? httpStatusFor(e.rsc);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (shape === 'onem2m') {
    Object.assign(headers, onem2mHeaders(req, e.rsc));
    return { status, headers, body: JSON.stringify({ 'm2m:dbg': e.message, code: e.code }) };
  }
  return { status, headers, body: JSON.stringify({ code: e.code, error: e.message }) };
}

/** X-M2M-RSC and the echoed X-M2M-RI (TS-0009 6.4.17 / 6.4.1), the RI only when printable and short. */
function onem2mHeaders(req: IncomingMessage, rsc: number): Record<string, string> {
  const out: Record<string, string> = { 'x-m2m-rsc': String(rsc) };
  const ri = req.headers['x-m2m-ri'];
  if (typeof ri === 'string' && ri.length > 0 && ri.length <= 255 && !/[^\x20-\x7e]/.test(ri)) out['x-m2m-ri'] = ri;
  return out;
}
