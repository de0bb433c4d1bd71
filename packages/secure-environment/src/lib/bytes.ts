import { timingSafeEqual } from 'node:crypto';

const encoder = new TextEncoder();

/** UTF-8 with NFKC normalisation, as TS-0003 10.3.2-10.3.7 require for identifiers. */
export function utf8Nfkc(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value.normalize('NFKC')) : value;
}

export function concatBytes(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Constant-time comparison; unequal lengths are simply unequal. */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(asBuffer(a), asBuffer(b));
}

export function zeroise(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

export function toBase64url(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64url');
}

export function fromBase64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}
