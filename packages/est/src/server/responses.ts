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

/** Short plain-text reason; never a stack trace. */
export function textResponse(status: number, reason: string, extra: Record<string, string> = {}): EstHttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra }, body: `${reason}\n` };
}
