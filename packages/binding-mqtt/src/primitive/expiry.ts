// Request Expiration Timestamp at the receiver (TS-0010 6.4.3: a request may wait in the broker past
// its rqet; TS-0004 7.3.2.1: an expired request is rejected with 4008 REQUEST_TIMEOUT).
import { M2MError, parseAbsRelTimestamp, ResponseStatusCode } from '@m2msec/protocol';

/**
 * Throws M2MError 4008 when `rqet` lies at or before `now`. A relative rqet counts from reception, so
 * only a non-positive one has expired. A malformed rqet is 4000 (parseAbsRelTimestamp).
 */
export function checkRequestExpiry(rqet: unknown, now: Date = new Date()): void {
  if (rqet === undefined) return;
  const expires = parseAbsRelTimestamp(rqet, now, 'rqet');
  if (expires.getTime() <= now.getTime()) {
    throw new M2MError(ResponseStatusCode.REQUEST_TIMEOUT, 'request expired (rqet) before it was received');
  }
}
