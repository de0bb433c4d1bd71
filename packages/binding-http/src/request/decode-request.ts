// TS-0009 clause 6: an HTTP request message -> a request primitive (the receiver side of 6.1).
import {
  checkJsonDepth,
  jsonSyntaxReason,
  M2MError,
  Operation,
  type RequestPrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import { badRequest, show, unsupportedMediaType } from '../lib/errors.js';
import { type DistinctHeaders, Header } from '../lib/headers.js';
import { parseInteger } from '../lib/numbers.js';
import { parseContentType } from './content-type.js';
import { parseQuery } from './query.js';
import { toFromPath } from './target.js';
import { parseTokens } from './tokens.js';

export interface HttpRequestMessage {
  method: string;
  /** Request-Target in origin-form, relative to where the binding is mounted: '/path?query'. */
  url: string;
  /** Lower-case names, every occurrence kept (node's `headersDistinct`). */
  headers: DistinctHeaders;
  /** Raw message-body; undefined or empty when there is none. */
  body?: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function single(headers: DistinctHeaders, name: string, display: string): string | undefined {
  const values = headers[name];
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) badRequest(`header ${display} given more than once`);
  return values[0];
}

function parseBody(body: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return badRequest('body is not valid UTF-8');
  }
  checkJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return badRequest(`body is not valid JSON: ${jsonSyntaxReason(e)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) badRequest('body is not a JSON object');
  return value as Record<string, unknown>;
}

/** Maps one HTTP request to a request primitive; any malformed part -> M2MError (4000, 4005, 4015, 5001). */
export function decodeHttpRequest(msg: HttpRequestMessage): RequestPrimitive {
  const h = msg.headers;
  const rqi = single(h, Header.requestId, 'X-M2M-RI');
  if (rqi === undefined || rqi === '') badRequest('missing X-M2M-RI header');

  const q = msg.url.indexOf('?');
  const to = toFromPath(q < 0 ? msg.url : msg.url.slice(0, q));
  const query = parseQuery(q < 0 ? '' : msg.url.slice(q + 1));

  const hasBody = msg.body !== undefined && msg.body.byteLength > 0;
  const contentTypeHeader = single(h, Header.contentType, 'Content-Type');
  const contentType = contentTypeHeader === undefined ? undefined : parseContentType(contentTypeHeader);
  if (hasBody && contentType === undefined) unsupportedMediaType('a request with a body needs a Content-Type header');

  let op: Operation;
  // 6.2.1: POST is CREATE when Content-Type carries ty, NOTIFY otherwise.
  switch (msg.method) {
    case 'POST':
      op = contentType?.ty === undefined ? Operation.NOTIFY : Operation.CREATE;
      break;
    case 'GET':
      op = Operation.RETRIEVE;
      break;
    case 'PUT':
      op = Operation.UPDATE;
      break;
    case 'DELETE':
      op = Operation.DELETE;
      break;
    default:
      throw new M2MError(
        ResponseStatusCode.OPERATION_NOT_ALLOWED,
        `HTTP method ${show(msg.method)} maps to no oneM2M operation (POST, GET, PUT, DELETE)`,
      );
  }

  const req: RequestPrimitive = { op, to, rqi };
  const fr = single(h, Header.origin, 'X-M2M-Origin');
  if (fr !== undefined) req.fr = fr;
  const rvi = single(h, Header.releaseVersion, 'X-M2M-RVI');
  if (rvi !== undefined) req.rvi = rvi;
  if (contentType?.ty !== undefined) req.ty = contentType.ty;
  if (hasBody) req.pc = parseBody(msg.body!);
  Object.assign(req, query);

  const ot = single(h, Header.originatingTimestamp, 'X-M2M-OT');
  if (ot !== undefined) req.ot = ot;
  const rqet = single(h, Header.requestExpiration, 'X-M2M-RET');
  if (rqet !== undefined) req.rqet = rqet;
  const rset = single(h, Header.resultExpiration, 'X-M2M-RST');
  if (rset !== undefined) req.rset = rset;
  const oet = single(h, Header.operationExecutionTime, 'X-M2M-OET');
  if (oet !== undefined) req.oet = oet;
  const gid = single(h, Header.groupRequestId, 'X-M2M-GID');
  if (gid !== undefined) req.gid = gid;

  // 6.4.11: notificationURI values joined by '&'; they complete the rt query field.
  const rtu = single(h, Header.notificationUri, 'X-M2M-RTU');
  if (rtu !== undefined) {
    if (req.rt === undefined) badRequest('header X-M2M-RTU needs the rt query parameter (responseType)');
    const nu = rtu.split('&').map((s) => s.trim());
    if (nu.some((s) => s === '')) badRequest('header X-M2M-RTU has an empty notificationURI');
    req.rt.nu = nu;
  }

  const authorization = single(h, Header.authorization, 'Authorization');
  if (authorization !== undefined) req.tkns = parseTokens(authorization);

  const ec = single(h, Header.eventCategory, 'X-M2M-EC');
  if (ec !== undefined) req.ec = parseInteger(ec, 'header X-M2M-EC');
  const vsi = single(h, Header.vendorInfo, 'X-M2M-VSI');
  if (vsi !== undefined) req.vsi = vsi;
  // 6.4.24: authorization signatures (base64url) joined by '+'; whitespace is insignificant.
  const as = single(h, Header.authorSignatures, 'X-M2M-AS');
  if (as !== undefined) {
    const aus = as.split('+').map((s) => s.trim());
    if (aus.some((s) => s === '')) badRequest('header X-M2M-AS has an empty signature');
    req.aus = aus;
  }
  return req;
}
