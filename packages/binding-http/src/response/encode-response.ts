// TS-0009 6.3 and 6.4: a response primitive -> HTTP status, headers and message-body.
import { type HandlerResponse, isSuccess, m2mDebugContent } from '@m2msec/protocol';
import { Header } from '../lib/headers.js';
import { httpStatusFor } from './status-mapping.js';

export interface HttpResponseMessage {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface EncodeResponseOptions {
  /** X-M2M-RI of the request, echoed (6.4.8); falls back to the primitive's rqi. */
  requestId?: string;
  /** Content-Location value already resolved to a path (see contentLocation). */
  location?: string;
}

/**
 * Status-Code from the TS-0009 Table 6.3.2-1 mapping, the original code in X-M2M-RSC, the Content
 * parameter as JSON body; an error without content carries its debug text as {"m2m:dbg": ...}.
 * Throws only when the primitive cannot be serialised (caller answers 5000).
 */
export function encodeHttpResponse(rsp: HandlerResponse, opts: EncodeResponseOptions = {}): HttpResponseMessage {
  const headers: Record<string, string> = { [Header.statusCode]: String(rsp.rsc) };
  const rqi = opts.requestId ?? rsp.rqi;
  if (rqi) headers[Header.requestId] = rqi;
  if (rsp.rvi !== undefined) headers[Header.releaseVersion] = rsp.rvi;
  if (rsp.fr !== undefined) headers[Header.origin] = rsp.fr;
  if (rsp.ot !== undefined) headers[Header.originatingTimestamp] = rsp.ot;
  if (rsp.rset !== undefined) headers[Header.resultExpiration] = rsp.rset;
  if (rsp.ati !== undefined && rsp.ati.length > 0) headers[Header.assignedTokenIds] = rsp.ati.join('+');
  if (rsp.cnst !== undefined) headers[Header.contentStatus] = String(rsp.cnst);
  if (rsp.cnot !== undefined) headers[Header.contentOffset] = String(rsp.cnot);
  if (opts.location !== undefined) headers[Header.contentLocation] = opts.location;

  let content: unknown = rsp.pc;
  if (content === undefined && rsp.dbg !== undefined && !isSuccess(rsp.rsc)) content = m2mDebugContent(rsp.dbg);
  const msg: HttpResponseMessage = { status: httpStatusFor(rsp.rsc), headers };
  if (content !== undefined) {
    const body = JSON.stringify(content);
    if (body === undefined) throw new TypeError('response content is not JSON-serialisable');
    headers[Header.contentType] = 'application/json';
    msg.body = body;
  }
  return msg;
}
