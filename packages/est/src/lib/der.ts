// Minimal strict DER reader and writer. The EST hot path (CSR in, certificate out) handles one
// fixed profile (TS-0003 10.1 / 10.1.4), and general ASN.1 libraries spend ~100 us per CSR on
// schema objects; these helpers walk and build the bytes directly. Tests cross-check every
// structure they produce or read against openssl and @peculiar/x509 / pkijs.
import { EstError } from '../errors.js';

/** One tag-length-value inside a buffer: offsets, no copies. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** Reads the TLV at `offset`; only single-byte tags and definite minimal lengths (DER). */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length, what = 'ASN.1 element'): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (offset + 2 > limit || tag === undefined || len === undefined) throw malformed(`${what}: truncated`);
  if ((tag & 0x1f) === 0x1f) throw malformed(`${what}: multi-byte tags are not used in this profile`);
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) throw malformed(`${what}: indefinite or oversized length`);
    if (p + n > limit) throw malformed(`${what}: truncated length`);
    len = 0;
    for (let i = 0; i < n; i++) {
      const b = buf[p + i];
      if (b === undefined) throw malformed(`${what}: truncated length`);
      len = (len << 8) | b;
    }
    if (buf[p] === 0 || len < 0x80) throw malformed(`${what}: length not minimally encoded (DER)`);
    p += n;
  }
  const end = p + len;
  if (end > limit) throw malformed(`${what}: length exceeds the enclosing element`);
  return { tag, start: offset, contentStart: p, end };
}

/** Reads a TLV and checks its tag. */
export function expectTlv(buf: Uint8Array, offset: number, tag: number, limit: number, what: string): Tlv {
  const t = readTlv(buf, offset, limit, what);
  if (t.tag !== tag) throw malformed(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(t.tag)}`);
  return t;
}

/** The children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv, what: string): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end, what);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function content(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.contentStart, t.end);
}

export function whole(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

/** Content bytes equal to `expected` (used for fixed OIDs and algorithm identifiers). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function malformed(message: string): EstError {
  return new EstError(400, message);
}

// ---- writer --------------------------------------------------------------------------------

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  if (len < 0x100) return [0x81, len];
  if (len < 0x10000) return [0x82, len >> 8, len & 0xff];
  if (len < 0x1000000) return [0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  throw new RangeError('DER element too long');
}

/** Encodes tag + length + the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const head = lengthBytes(len);
  const out = new Uint8Array(1 + head.length + len);
  out[0] = tag;
  out.set(head, 1);
  let o = 1 + head.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, ...parts);
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
/** BIT STRING with no unused bits. */
export const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), b);
export const ia5String = (s: string): Uint8Array => tlv(0x16, Buffer.from(s, 'latin1'));
export const utf8String = (s: string): Uint8Array => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printableString = (s: string): Uint8Array => tlv(0x13, Buffer.from(s, 'latin1'));
export const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

/** INTEGER from unsigned big-endian magnitude bytes (minimal, positive). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  const lead = m[0];
  if (lead === undefined) throw new RangeError('INTEGER magnitude is empty');
  return lead & 0x80 ? tlv(0x02, Uint8Array.of(0), m) : tlv(0x02, m);
}

export function smallInteger(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError('integer out of range');
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return unsignedInteger(Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`bad OID ${dotted}`);
    return BigInt(a);
  });
  const [arc0, arc1, ...rest] = arcs;
  if (arc0 === undefined || arc1 === undefined) throw new RangeError(`bad OID ${dotted}`);
  const body: number[] = [];
  for (const arc of [arc0 * 40n + arc1, ...rest]) {
    const groups: number[] = [];
    let v = arc;
    do {
      // base-128, most significant group first; every group but the last has the continuation bit
      groups.unshift(Number(v & 0x7fn) | (groups.length > 0 ? 0x80 : 0));
      v >>= 7n;
    } while (v > 0n);
    body.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(body));
}

/** Dotted form of OID content bytes. */
export function oidToString(contentBytes: Uint8Array): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of contentBytes) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const [first, ...rest] = arcs;
  if (first === undefined) return '';
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...rest].join('.');
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), second precision, Z. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const y = date.getUTCFullYear();
  const rest = iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${rest}Z`, 'latin1'));
  return tlv(0x18, Buffer.from(`${iso.slice(0, 4)}${rest}Z`, 'latin1'));
}

/** Reads a UTCTime / GeneralizedTime element (Z form, as RFC 5280 requires). */
export function readTime(buf: Uint8Array, t: Tlv, what: string): Date {
  const s = Buffer.from(content(buf, t)).toString('latin1');
  // Once the pattern matched, every field is at a fixed offset.
  const digits = (from: number, count: number) => Number(s.slice(from, from + count));
  if (t.tag === 0x17 && /^\d{12}Z$/.test(s)) {
    const yy = digits(0, 2);
    const year = yy < 50 ? 2000 + yy : 1900 + yy;
    return new Date(Date.UTC(year, digits(2, 2) - 1, digits(4, 2), digits(6, 2), digits(8, 2), digits(10, 2)));
  }
  if (t.tag === 0x18 && /^\d{14}Z$/.test(s)) {
    return new Date(Date.UTC(digits(0, 4), digits(4, 2) - 1, digits(6, 2), digits(8, 2), digits(10, 2), digits(12, 2)));
  }
  throw new EstError(400, `${what}: not a UTCTime / GeneralizedTime in Z form`);
}
