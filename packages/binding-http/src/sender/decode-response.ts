// TS-0009 6.3 / 6.4, originator side: an HTTP response message -> a response primitive.
import { checkJsonDepth, isSuccess, M2MError, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';
import { show } from '../lib/errors.js';
import { type DistinctHeaders, Header } from '../lib/headers.js';
import { jsonMediaTypes } from '../request/content-type.js';

export interface HttpResponseIn {
  headers: DistinctHeaders;
  body?: Uint8Array;
}

function fail(message: string): never {
  // The peer broke the binding: the request's outcome is unknown to us.
  throw new M2MError(ResponseStatusCode.INTERNAL_SERVER_ERROR, message);
}

function one(h: DistinctHeaders, name: string, display: string): string | undefined {
  const v = h[name];
  if (v === undefined || v.length === 0) return undefined;
  if (v.length > 1) fail(`response header ${display} given more than once`);
  return v[0];
}

/** Reads a response; a missing or malformed X-M2M-RSC, a foreign X-M2M-RI or a non-JSON body -> M2MError 5000. */
export function decodeHttpResponse(msg: HttpResponseIn, expectedRqi: string): ResponsePrimitive {
  const h = msg.headers;
  const rscText = one(h, Header.statusCode, 'X-M2M-RSC');
  if (rscText === undefined) fail('response carries no X-M2M-RSC header');
  if (!/^\d{4}$/.test(rscText)) fail(`response X-M2M-RSC ${show(rscText)} is not a status code`);
  const rqi = one(h, Header.requestId, 'X-M2M-RI');
  if (rqi !== expectedRqi) fail(`response X-M2M-RI ${show(rqi ?? '')} does not echo the request's`);

  const rsp: ResponsePrimitive = { rsc: Number(rscText) as ResponsePrimitive['rsc'], rqi };
  const rvi = one(h, Header.releaseVersion, 'X-M2M-RVI');
  if (rvi !== undefined) rsp.rvi = rvi;
  const fr = one(h, Header.origin, 'X-M2M-Origin');
  if (fr !== undefined) rsp.fr = fr;
  const ot = one(h, Header.originatingTimestamp, 'X-M2M-OT');
  if (ot !== undefined) rsp.ot = ot;
  const rset = one(h, Header.resultExpiration, 'X-M2M-RST');
  if (rset !== undefined) rsp.rset = rset;
  const ati = one(h, Header.assignedTokenIds, 'X-M2M-ATI');
  if (ati !== undefined) rsp.ati = ati.split('+').map((s) => s.trim());
  const cnst = one(h, Header.contentStatus, 'X-M2M-CTS');
  if (cnst !== undefined && /^[12]$/.test(cnst)) rsp.cnst = Number(cnst);
  const cnot = one(h, Header.contentOffset, 'X-M2M-CTO');
  if (cnot !== undefined && /^[1-9][0-9]{0,9}$/.test(cnot)) rsp.cnot = Number(cnot);

  if (msg.body !== undefined && msg.body.byteLength > 0) {
    const type = (one(h, Header.contentType, 'Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!jsonMediaTypes.has(type)) fail(`response body has Content-Type ${show(type)}, not JSON`);
    let pc: unknown;
    const text = Buffer.from(msg.body).toString('utf8');
    try {
      // A peer's answer is as untrusted as a request: bounded nesting before anything walks it.
      checkJsonDepth(text, undefined, 'response body');
    } catch (e) {
      fail((e as Error).message);
    }
    try {
      pc = JSON.parse(text);
    } catch {
      fail('response body is not valid JSON');
    }
    const dbg = (pc as Record<string, unknown> | null)?.['m2m:dbg'];
    // The reverse of the receiver rule: an error whose only content is m2m:dbg carries a debug text.
    if (!isSuccess(rsp.rsc) && typeof dbg === 'string' && Object.keys(pc as object).length === 1) rsp.dbg = dbg;
    else rsp.pc = pc;
  }
  return rsp;
}
