// EST bodies are base64 of DER (RFC 7030 4.1.3 / 4.2.1, clarified by RFC 8951 3.2: line breaks
// are allowed, the Content-Transfer-Encoding header is not relied upon). Anything else is 400.
import { EstError } from '../errors.js';

const WHITESPACE = /[\r\n\t ]+/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64Body(body: Uint8Array, what: string): Uint8Array {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1').replace(WHITESPACE, '');
  if (text.length === 0) throw new EstError(400, `empty ${what} body`);
  if (!BASE64.test(text)) throw new EstError(400, `${what} body is not valid base64`);
  return Buffer.from(text, 'base64');
}

/** base64 with CRLF every 64 characters, as MIME bodies are usually written. */
export function encodeBase64Body(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\r\n`;
  return out;
}
