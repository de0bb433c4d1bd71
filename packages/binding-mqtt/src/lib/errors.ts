import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

/** 4000 BAD_REQUEST with a message naming the offending part. */
export function badRequest(message: string): never {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
}

/** Printable, length-bounded form of an untrusted value for an error message or log line. */
export function show(value: unknown, max = 64): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > max ? `${s.slice(0, max - 4)}..."` : s;
}
