// TS-0010 6.5.1 / TS-0004 8.4: a JSON payload -> request primitive. The binding checks the structure it
// and the CSE rely on (object, op, to, rqi, types of the parameters it reads); the CSE's validateRequest
// checks everything else. Every failure is an M2MError 4000 carrying the rqi when one could be read.
import {
  checkJsonDepth,
  jsonSyntaxReason,
  M2MError,
  type RequestPrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import { show } from '../lib/errors.js';

/** A request that could not be decoded; `rqi` is set when the payload had a usable one (for the response). */
export class RequestDecodeError extends M2MError {
  constructor(
    message: string,
    readonly rqi?: string,
  ) {
    super(ResponseStatusCode.BAD_REQUEST, message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Check = (v: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isInteger: Check = (v) => Number.isSafeInteger(v);
const isObject: Check = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStringOrInteger: Check = (v) => isString(v) || isInteger(v);

// Types of the parameters the binding itself reads or hands on typed (TS-0004 Table 6.4.1-1 subset).
const fieldTypes: Record<string, [Check, string]> = {
  op: [isInteger, 'an integer (m2m:operation)'],
  to: [isString, 'a string (xs:anyURI)'],
  fr: [isString, 'a string (m2m:ID)'],
  rqi: [isString, 'a string (m2m:requestID)'],
  rvi: [isString, 'a string (m2m:releaseVersion)'],
  ty: [isInteger, 'an integer (m2m:resourceType)'],
  pc: [isObject, 'an object (m2m:primitiveContent)'],
  rqet: [isStringOrInteger, 'an m2m:absRelTimestamp'],
};

function parseJson(payload: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw new RequestDecodeError('payload is not valid UTF-8 (TS-0004 8.4.2)');
  }
  try {
    checkJsonDepth(text, undefined, 'payload');
  } catch (e) {
    throw new RequestDecodeError((e as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RequestDecodeError(`payload is not valid JSON: ${jsonSyntaxReason(e)}`);
  }
}

/**
 * Decodes a JSON request primitive. A primitive wrapped as {"m2m:rqp": {...}} (as XML would be, and as
 * some older peers send it although TS-0004 8.4.2 says not to) is unwrapped.
 */
export function decodeRequestPayload(payload: Uint8Array): RequestPrimitive {
  let value = parseJson(payload);
  if (!isObject(value)) throw new RequestDecodeError('payload is not a JSON object (a request primitive)');
  let p = value as Record<string, unknown>;
  const keys = Object.keys(p);
  if (keys.length === 1 && keys[0] === 'm2m:rqp') {
    value = p['m2m:rqp'];
    if (!isObject(value)) throw new RequestDecodeError('m2m:rqp is not an object');
    p = value as Record<string, unknown>;
  }
  const rqi = typeof p.rqi === 'string' && p.rqi !== '' ? p.rqi : undefined;
  for (const name of ['op', 'to', 'rqi'] as const) {
    if (p[name] === undefined) throw new RequestDecodeError(`request primitive has no '${name}'`, rqi);
  }
  for (const [name, [check, type]] of Object.entries(fieldTypes)) {
    const v = p[name];
    if (v !== undefined && !check(v)) {
      throw new RequestDecodeError(`request parameter '${name}' must be ${type}, got ${show(JSON.stringify(v))}`, rqi);
    }
  }
  if (rqi === undefined) throw new RequestDecodeError("request parameter 'rqi' is empty");
  return p as unknown as RequestPrimitive;
}
