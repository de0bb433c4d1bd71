// Serialization of inner primitives (TS-0003 8.4.2 C.2): JSON with short names, the media types of
// TS-0004 (application/vnd.onem2m-preq+json / -prsp+json) as the JWE "cty" (RFC 7516 4.1.12 lets the
// "application/" prefix be omitted).
import type { RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import { esprimError } from '../lib/errors.js';

export const CTY_REQUEST = 'vnd.onem2m-preq+json';
export const CTY_RESPONSE = 'vnd.onem2m-prsp+json';

export function serializeInner(p: RequestPrimitive | ResponsePrimitive): Buffer {
  return Buffer.from(JSON.stringify(p), 'utf8');
}

function parseJsonObject(plaintext: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw esprimError('decryption', `the decrypted ${what} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw esprimError('decryption', `the decrypted ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * An inner request must be a request (has "op", no "rsc"): a response object reflected back at the
 * Target under the same session key is refused here. Delivery-related parameters (rt, ec, da) are
 * dropped, as the Target ignores them (TS-0004 7.6.2, step "Target").
 */
export function parseInnerRequest(plaintext: Buffer): RequestPrimitive {
  const v = parseJsonObject(plaintext, 'inner request primitive');
  if (v.op === undefined || v.rsc !== undefined)
    throw esprimError('decryption', 'the ESPrim Object does not carry an inner request primitive');
  const { rt: _rt, ec: _ec, da: _da, ...rest } = v;
  return rest as unknown as RequestPrimitive;
}

export function parseInnerResponse(plaintext: Buffer): ResponsePrimitive {
  const v = parseJsonObject(plaintext, 'inner response primitive');
  if (v.rsc === undefined || v.op !== undefined)
    throw esprimError('decryption', 'the ESPrim Object does not carry an inner response primitive');
  return v as unknown as ResponsePrimitive;
}
