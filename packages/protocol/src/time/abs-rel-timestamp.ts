// m2m:absRelTimestamp (TS-0004 clause 6.3.3): xs:union of m2m:timestamp (absolute) and xs:long
// (relative, milliseconds from now). Used by rqet, rset, oet and rp (TS-0004 6.4.1 / 7.2.1.1).
import { badRequest, show } from '../lib/bad-request.js';
import { parseTimestamp } from './timestamp.js';

const LONG = /^[+-]?\d{1,16}$/;

/**
 * Resolves an absolute or relative timestamp to a Date. A relative value (a JSON number or a
 * decimal string) is an integer count of milliseconds added to `now`.
 */
export function parseAbsRelTimestamp(v: unknown, now: Date = new Date(), what = 'timestamp'): Date {
  let ms: number | undefined;
  if (typeof v === 'number') ms = v;
  else if (typeof v === 'string' && LONG.test(v)) ms = Number(v);
  if (ms !== undefined) {
    if (!Number.isSafeInteger(ms)) badRequest(`${what} '${show(v)}' is not an integer number of milliseconds`);
    const d = new Date(now.getTime() + ms);
    if (!Number.isFinite(d.getTime())) badRequest(`${what} '${show(v)}' is out of range`);
    return d;
  }
  if (typeof v === 'string') return parseTimestamp(v, what);
  return badRequest(`${what} '${show(v)}' is neither an m2m:timestamp nor a number of milliseconds`);
}

/** True when v is a well-formed m2m:absRelTimestamp (no clock needed). */
export function isAbsRelTimestamp(v: unknown): boolean {
  try {
    parseAbsRelTimestamp(v, new Date(0));
    return true;
  } catch {
    return false;
  }
}
