// TS-0008 6.2.3 / 6.2.4: a response primitive -> CoAP response code, options and payload.
import { type HandlerResponse, isSuccess, m2mDebugContent, type Operation } from '@m2msec/protocol';
import type { CoapOption } from '../message/codec.js';
import { ContentFormat, encodeUint, Opt } from '../message/options.js';
import { coapCodeFor } from './status-mapping.js';

export interface CoapResponseParts {
  code: number;
  options: CoapOption[];
  payload: Buffer;
}

const str = (number: number, v: string): CoapOption => ({ number, value: Buffer.from(v, 'utf8') });

export function encodeCoapResponse(
  rsp: HandlerResponse,
  op: Operation | undefined,
  opts: { requestId?: string; accept?: number; coapOnly?: boolean } = {},
): CoapResponseParts {
  const parts = encodeAll(rsp, op, opts);
  // Plain CoAP peers (libcoap's coap-client) refuse a response with critical options they do not know
  // (RFC 7252 5.4.1), and every TS-0008 option is critical: 'coap-only' leaves them out.
  if (opts.coapOnly) parts.options = parts.options.filter((o) => o.number < 256);
  return parts;
}

function encodeAll(
  rsp: HandlerResponse,
  op: Operation | undefined,
  opts: { requestId?: string; accept?: number },
): CoapResponseParts {
  const options: CoapOption[] = [{ number: Opt.oneM2mRSC, value: encodeUint(rsp.rsc) }];
  const rqi = opts.requestId ?? rsp.rqi;
  if (rqi) options.push(str(Opt.oneM2mRQI, rqi));
  if (rsp.rvi !== undefined) options.push(str(Opt.oneM2mRVI, rsp.rvi));
  if (rsp.fr !== undefined) options.push(str(Opt.oneM2mFR, rsp.fr));
  if (rsp.ot !== undefined) options.push(str(Opt.oneM2mOT, rsp.ot));
  if (rsp.rset !== undefined) options.push(str(Opt.oneM2mRSET, rsp.rset));
  if (rsp.ati !== undefined && rsp.ati.length > 0) options.push(str(Opt.oneM2mATI, rsp.ati.join('+')));
  // 6.2.3: the address of a created resource goes to Location-Path.
  if (rsp.location !== undefined)
    for (const seg of rsp.location.replace(/^\/+/, '').split('/')) options.push(str(Opt.locationPath, seg));
  const code = coapCodeFor(rsp.rsc, op);
  let content: unknown = rsp.pc;
  if (content === undefined && rsp.dbg !== undefined && !isSuccess(rsp.rsc)) content = m2mDebugContent(rsp.dbg);
  // Table 6.2.4-1: 2000 for NOTIFY -> 2.04. Its Content, when the response has one, is carried: the
  // response to an outer NOTIFY of ESPrim / ESCertKE is an m2m:seci (TS-0004 7.6.2, 7.5.1.2.12).
  let payload = Buffer.alloc(0);
  if (content !== undefined) {
    const body = JSON.stringify(content);
    if (body === undefined) throw new TypeError('response content is not JSON-serialisable');
    payload = Buffer.from(body, 'utf8');
    options.push({ number: Opt.contentFormat, value: encodeUint(opts.accept ?? ContentFormat.json) });
  }
  return { code, options, payload };
}
