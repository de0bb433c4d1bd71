// Byte helpers: concatenation, 32-bit big-endian integers, strict base64 (xs:base64Binary).
import { DskppError } from './errors.js';

/** Concatenation into a fresh plain Uint8Array (not a Buffer, whose slice() would alias). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** INT(i): four octets, most significant first (RFC 6063 Appendix D). */
export function int32be(i: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(i);
  return b;
}

export const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict xs:base64Binary decoding: XML whitespace is allowed between characters, anything else that
 * Buffer.from would silently skip (or a non-canonical tail) is a MalformedRequest.
 */
export function fromBase64(text: string, what: string): Uint8Array {
  const s = text.replace(/[ \t\r\n]/g, '');
  if (s.length % 4 !== 0 || !B64.test(s)) throw new DskppError('MalformedRequest', `${what} is not valid base64`);
  const out = Buffer.from(s, 'base64');
  if (out.toString('base64') !== s) throw new DskppError('MalformedRequest', `${what} is not canonical base64`);
  return new Uint8Array(out);
}

/** Overwrite transient key material (best effort: JS engines may keep copies). */
export function zeroize(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** Strict base64url (no padding); throws on anything else. */
export function fromBase64Url(text: string): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
