import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

/** 4000 BAD_REQUEST with a message naming the offending field. */
export function badRequest(message: string): never {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
}

/** 4015 UNSUPPORTED_MEDIA_TYPE. */
export function unsupportedMediaType(message: string): never {
  throw new M2MError(ResponseStatusCode.UNSUPPORTED_MEDIA_TYPE, message);
}

/** 5001 NOT_IMPLEMENTED: a TS-0009 parameter this CSE does not act on (refused rather than silently ignored). */
export function notImplemented(message: string): never {
  throw new M2MError(ResponseStatusCode.NOT_IMPLEMENTED, message);
}

/** Printable, length-bounded form of an untrusted value for an error message. */
export function show(value: string, max = 64): string {
  const s = JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 4)}..."` : s;
}
