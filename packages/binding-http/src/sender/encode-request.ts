// TS-0009 clause 6, originator side: a request primitive -> HTTP method, origin-form target, headers, body.
import { Operation, type RequestPrimitive } from '@m2msec/protocol';
import { badRequest } from '../lib/errors.js';
import { Header, headerDisplayName } from '../lib/headers.js';
import { queryFields } from '../request/query.js';
import { pathForTo } from '../request/target.js';

export interface EncodedHttpRequest {
  method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  /** Path (from To, 6.2.2.1) and query string (6.2.2.2), e.g. '/~/id-in/cse-in?rcn=1'. */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

const methods = {
  [Operation.CREATE]: 'POST',
  [Operation.RETRIEVE]: 'GET',
  [Operation.UPDATE]: 'PUT',
  [Operation.DELETE]: 'DELETE',
  [Operation.NOTIFY]: 'POST',
} as const;

/** A list header joined by `sep`; an item containing the separator could not be told apart -> 4000. */
function joinList(items: readonly unknown[], sep: string, what: string): string {
  const strings = items.map(String);
  if (strings.some((s) => s === '' || s.includes(sep))) badRequest(`${what}: an empty item or one containing '${sep}'`);
  return strings.join(sep);
}

function queryValue(value: unknown): string {
  const one = (v: unknown) => encodeURIComponent(String(v));
  return Array.isArray(value) ? value.map(one).join('+') : one(value);
}

/** The query string (without '?') for the primitive's query-mapped parameters, in Table 6.2.2.2-1 order. */
export function encodeQuery(req: RequestPrimitive): string {
  const pairs: string[] = [];
  const fc = (req.fc ?? {}) as Record<string, unknown>;
  for (const [name, field] of Object.entries(queryFields)) {
    let value: unknown;
    if (field.place === 'fc') value = fc[name];
    else if (name === 'rt') value = req.rt?.rtv;
    else value = (req as unknown as Record<string, unknown>)[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    pairs.push(`${name}=${queryValue(value)}`);
  }
  return pairs.join('&');
}

/** Maps a request primitive to an HTTP request; a CREATE without ty -> 4000. */
export function encodeHttpRequest(req: RequestPrimitive): EncodedHttpRequest {
  const r = req;
  const method = methods[r.op];
  if (method === undefined) badRequest(`operation ${String(r.op)} has no HTTP method`);
  const headers: Record<string, string> = { [Header.requestId]: r.rqi };
  if (r.fr !== undefined) headers[Header.origin] = r.fr;
  if (r.rvi !== undefined) headers[Header.releaseVersion] = r.rvi;
  if (r.ot !== undefined) headers[Header.originatingTimestamp] = r.ot;
  if (r.rqet !== undefined) headers[Header.requestExpiration] = r.rqet;
  if (r.rset !== undefined) headers[Header.resultExpiration] = r.rset;
  if (r.oet !== undefined) headers[Header.operationExecutionTime] = r.oet;
  if (r.gid !== undefined) headers[Header.groupRequestId] = r.gid;
  if (r.rt?.nu !== undefined && r.rt.nu.length > 0) {
    headers[Header.notificationUri] = joinList(r.rt.nu, '&', 'X-M2M-RTU cannot carry a notificationURI');
  }
  if (r.tkns !== undefined && r.tkns.length > 0) {
    headers[Header.authorization] = joinList(r.tkns, '+', 'Authorization cannot carry a token');
  }
  if (r.ec !== undefined) headers[Header.eventCategory] = String(r.ec);
  if (r.vsi !== undefined) headers[Header.vendorInfo] = r.vsi;
  if (r.aus !== undefined && r.aus.length > 0) {
    headers[Header.authorSignatures] = joinList(r.aus, '+', 'X-M2M-AS cannot carry a signature');
  }

  let body: string | undefined;
  const contentType = r.op === Operation.CREATE ? `application/json;ty=${r.ty}` : 'application/json';
  if (r.op === Operation.CREATE && (r.ty === undefined || !Number.isSafeInteger(r.ty))) {
    badRequest('a CREATE request needs an integer ty');
  }
  if (r.pc !== undefined) body = JSON.stringify(r.pc);
  if (body !== undefined || r.op === Operation.CREATE) headers[Header.contentType] = contentType;

  const query = encodeQuery(r);
  const target = pathForTo(r.to) + (query === '' ? '' : `?${query}`);
  const display: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) display[headerDisplayName[name] ?? name] = value;
  return { method, target, headers: display, ...(body === undefined ? {} : { body }) };
}
