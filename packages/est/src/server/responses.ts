import { EstError, type EstStatus } from '../errors.js';
import { encodeBase64Body } from '../lib/base64-body.js';
import type { EstHttpResponse } from './types.js';

export const PKCS7_CERTS_ONLY = 'application/pkcs7-mime; smime-type=certs-only';

/** base64 DER body (RFC 7030 4.1.3, 4.2.3, 4.5.2). */
export function base64Response(
  contentType: string,
  der: Uint8Array,
  extra: Record<string, string> = {},
): EstHttpResponse {
  return {
    status: 200,
    headers: { 'content-type': contentType, 'content-transfer-encoding': 'base64', ...extra },
    body: encodeBase64Body(der),
  };
}

/**
 * A refusal (issue 19 item 6): JSON {code, error} with the stable code of the status and a reason a
 * person can act on. RFC 7030 4.2.3 leaves the body of an error open once Content-Type is set.
 */
export function errorResponse(status: EstStatus, reason: string, extra: Record<string, string> = {}): EstHttpResponse {
  const e = new EstError(status, reason);
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
    body: `${JSON.stringify({ code: e.code, error: reason })}\n`,
  };
}

/** Short plain-text reason (202 pending answers); never a stack trace. */
export function textResponse(status: number, reason: string, extra: Record<string, string> = {}): EstHttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra }, body: `${reason}\n` };
}
