// TS-0008 clause 6.2: a CoAP request message -> a request primitive (the Receiver side).
import { M2MError, Operation, type RequestPrimitive, ResponseStatusCode } from '@m2msec/protocol';
import { badRequest, show, unsupportedMediaType } from '../lib/errors.js';
import type { CoapMessage } from '../message/codec.js';
import { decodeUint, JSON_FORMATS, Opt } from '../message/options.js';
import { parseQuery } from './query.js';
import { toFromUriPath } from './target.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(v: Buffer, what: string): string {
  try {
    return utf8.decode(v);
  } catch {
    return badRequest(`option ${what} is not valid UTF-8`);
  }
}

function single(msg: CoapMessage, n: number, what: string): Buffer | undefined {
  const found = msg.options.filter((o) => o.number === n);
  if (found.length > 1) badRequest(`option ${what} given more than once`);
  return found[0]?.value;
}

function singleText(msg: CoapMessage, n: number, what: string): string | undefined {
  const v = single(msg, n, what);
  return v === undefined ? undefined : text(v, what);
}

function uint(msg: CoapMessage, n: number, what: string, maxBytes: number): number | undefined {
  const v = single(msg, n, what);
  if (v === undefined) return undefined;
  if (v.length > maxBytes) badRequest(`option ${what} is longer than ${maxBytes} bytes`);
  return decodeUint(v);
}

function parseBody(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text(body, 'payload'));
  } catch (e) {
    if (e instanceof M2MError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    return badRequest(`payload is not valid JSON: ${reason.length > 160 ? `${reason.slice(0, 157)}...` : reason}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) badRequest('payload is not a JSON object');
  return value as Record<string, unknown>;
}

/** Maps one (reassembled) CoAP request to a request primitive; malformed parts -> M2MError. */
export function decodeCoapRequest(msg: CoapMessage, payload: Buffer = msg.payload): RequestPrimitive {
  const rqi = singleText(msg, Opt.oneM2mRQI, 'oneM2M-RQI');
  if (rqi === undefined || rqi === '') badRequest('missing oneM2M-RQI option (TS-0008 6.2.2.4.2)');
  const to = toFromUriPath(msg.options.filter((o) => o.number === Opt.uriPath).map((o) => text(o.value, 'Uri-Path')));
  const queries = msg.options.filter((o) => o.number === Opt.uriQuery).map((o) => text(o.value, 'Uri-Query'));
  const query = parseQuery(queries.join('&'));

  const ty = uint(msg, Opt.oneM2mTY, 'oneM2M-TY', 2);
  const hasBody = payload.length > 0;
  const format = uint(msg, Opt.contentFormat, 'Content-Format', 2);
  if (hasBody && format === undefined) unsupportedMediaType('a request with a payload needs a Content-Format option');
  if (format !== undefined && !JSON_FORMATS.has(format))
    unsupportedMediaType(`Content-Format ${format} is not supported (JSON: 50, 10001, 10003, 10007, 10009)`);
  const accept = uint(msg, Opt.accept, 'Accept', 2);
  if (accept !== undefined && !JSON_FORMATS.has(accept))
    throw new M2MError(ResponseStatusCode.NOT_ACCEPTABLE, `Accept ${accept}: only JSON content formats are served`);

  let op: Operation;
  // Table 6.2.1-1; a POST is CREATE when oneM2M-TY is present, NOTIFY otherwise.
  switch (msg.code) {
    case 0x01:
      op = Operation.RETRIEVE;
      break;
    case 0x02:
      op = ty === undefined ? Operation.NOTIFY : Operation.CREATE;
      break;
    case 0x03:
      op = Operation.UPDATE;
      break;
    case 0x04:
      op = Operation.DELETE;
      break;
    default:
      throw new M2MError(
        ResponseStatusCode.OPERATION_NOT_ALLOWED,
        `CoAP method ${msg.code >> 5}.${String(msg.code & 31).padStart(2, '0')} maps to no oneM2M operation`,
      );
  }
  const req: RequestPrimitive = { op, to, rqi };
  const fr = singleText(msg, Opt.oneM2mFR, 'oneM2M-FR');
  if (fr !== undefined) req.fr = fr;
  const rvi = singleText(msg, Opt.oneM2mRVI, 'oneM2M-RVI');
  if (rvi !== undefined) req.rvi = rvi;
  if (ty !== undefined) {
    if (op !== Operation.CREATE) badRequest('oneM2M-TY is only valid on a CREATE (POST)');
    req.ty = ty;
  }
  if (hasBody) req.pc = parseBody(payload);
  Object.assign(req, query);
  const ot = singleText(msg, Opt.oneM2mOT, 'oneM2M-OT');
  if (ot !== undefined) req.ot = ot;
  const rqet = singleText(msg, Opt.oneM2mRQET, 'oneM2M-RQET');
  if (rqet !== undefined) req.rqet = rqet;
  const rset = singleText(msg, Opt.oneM2mRSET, 'oneM2M-RSET');
  if (rset !== undefined) req.rset = rset;
  const oet = singleText(msg, Opt.oneM2mOET, 'oneM2M-OET');
  if (oet !== undefined) req.oet = oet;
  const gid = singleText(msg, Opt.oneM2mGID, 'oneM2M-GID');
  if (gid !== undefined) req.gid = gid;
  const vsi = singleText(msg, Opt.oneM2mVSI, 'oneM2M-VSI');
  if (vsi !== undefined) req.vsi = vsi;
  const ec = uint(msg, Opt.oneM2mEC, 'oneM2M-EC', 1);
  if (ec !== undefined) req.ec = ec;
  // 6.2.2.4.8: notificationURI of Response Type, completing the rt Uri-Query field.
  const rturi = singleText(msg, Opt.oneM2mRTURI, 'oneM2M-RTURI');
  if (rturi !== undefined) {
    if (req.rt === undefined) badRequest('oneM2M-RTURI needs the rt Uri-Query (responseType)');
    const nu = rturi.split('&').map((s) => s.trim());
    if (nu.some((s) => s === '')) badRequest('oneM2M-RTURI has an empty notificationURI');
    req.rt.nu = nu;
  }
  // 6.2.2.4.19: authorization signatures joined by '+'.
  const aus = singleText(msg, Opt.oneM2mAUS, 'oneM2M-AUS');
  if (aus !== undefined) {
    const list = aus.split('+').map((s) => s.trim());
    if (list.some((s) => s === '')) badRequest('oneM2M-AUS has an empty signature');
    req.aus = list;
  }
  for (const [n, name] of [
    [Opt.oneM2mGTM, 'oneM2M-GTM'],
    [Opt.oneM2mASRI, 'oneM2M-ASRI'],
    [Opt.oneM2mCTO, 'oneM2M-CTO'],
    [Opt.oneM2mCTS, 'oneM2M-CTS'],
  ] as const) {
    if (single(msg, n, name) !== undefined)
      throw new M2MError(ResponseStatusCode.NOT_IMPLEMENTED, `option ${name} is not supported by this CSE`);
  }
  if (single(msg, Opt.oneM2mRSC, 'oneM2M-RSC') !== undefined) badRequest('oneM2M-RSC is a response option');
  return req;
}

export { show };
