// TS-0010 6.5.2, originator side: a JSON payload -> response primitive. A peer that breaks the binding
// leaves the request's outcome unknown: 5000, as the HTTP sender does.
import { checkJsonDepth, isSuccess, M2MError, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';
import { show } from '../lib/errors.js';

function fail(message: string): never {
  throw new M2MError(ResponseStatusCode.INTERNAL_SERVER_ERROR, message);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a response primitive; an error whose only content is m2m:dbg becomes `dbg`. */
export function decodeResponsePayload(payload: Uint8Array): ResponsePrimitive {
  let text = '';
  try {
    text = utf8.decode(payload);
  } catch {
    fail('response payload is not valid UTF-8 JSON');
  }
  try {
    // A peer's answer is as untrusted as a request: bounded nesting before anything walks it.
    checkJsonDepth(text, undefined, 'response payload');
  } catch (e) {
    fail((e as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('response payload is not valid UTF-8 JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('response payload is not an object');
  let p = value as Record<string, unknown>;
  if (Object.keys(p).length === 1 && p['m2m:rsp'] !== null && typeof p['m2m:rsp'] === 'object') {
    p = p['m2m:rsp'] as Record<string, unknown>;
  }
  if (!Number.isInteger(p.rsc) || (p.rsc as number) < 1000 || (p.rsc as number) > 9999) {
    fail(`response rsc ${show(JSON.stringify(p.rsc))} is not a status code`);
  }
  if (typeof p.rqi !== 'string') fail('response has no rqi');
  const rsp = { ...p } as unknown as ResponsePrimitive;
  const pc = p.pc as Record<string, unknown> | undefined;
  if (!isSuccess(rsp.rsc) && pc !== null && typeof pc === 'object') {
    const keys = Object.keys(pc);
    if (keys.length === 1 && typeof pc['m2m:dbg'] === 'string') {
      rsp.dbg = pc['m2m:dbg'] as string;
      delete rsp.pc;
    }
  }
  return rsp;
}
