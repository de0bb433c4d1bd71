import { GbaError } from './errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict RFC 4648 base64 (padding required, no whitespace); the decoded length must be `length` when given. */
export function decodeBase64(text: string, what: string, length?: number): Buffer {
  if (!BASE64.test(text)) throw new GbaError(400, 'ERR_MALFORMED', `${what} is not base64`);
  const bytes = Buffer.from(text, 'base64');
  if (length !== undefined && bytes.length !== length) {
    throw new GbaError(400, 'ERR_MALFORMED', `${what} must decode to ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}
