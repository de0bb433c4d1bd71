// m2m:timestamp (TS-0004 clause 6.3.3): ISO 8601 basic format 'YYYYMMDDThhmmss', optionally
// ',' and 1..6 fraction digits, always UTC, no zone designator, no reduced representations.
import { badRequest, show } from '../lib/bad-request.js';

const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:,(\d{1,6}))?$/;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface FormatTimestampOptions {
  /** Append the ',ffffff' fraction (microseconds; a Date carries milliseconds, so the last 3 digits are 0). */
  fraction?: boolean;
}

/** Formats a Date as an m2m:timestamp in UTC, e.g. '20141003T112032' or '20141003T112032,123000'. */
export function formatTimestamp(date: Date, options: FormatTimestampOptions = {}): string {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError('formatTimestamp: invalid Date');
  const y = date.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError(`formatTimestamp: year ${y} outside 0000..9999`);
  const base =
    pad(y, 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    'T' +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2);
  return options.fraction ? `${base},${pad(date.getUTCMilliseconds(), 3)}000` : base;
}

/** True when s has the m2m:timestamp syntax and denotes a real calendar instant. */
export function isTimestamp(s: unknown): boolean {
  return typeof s === 'string' && toDate(s) !== undefined;
}

/**
 * Parses an m2m:timestamp. Fraction digits beyond milliseconds are truncated (TS-0004 6.3.3 lets a
 * CSE ignore precision it does not act on). Anything else -> M2MError 4000 naming `what`.
 */
export function parseTimestamp(s: unknown, what = 'timestamp'): Date {
  const d = typeof s === 'string' ? toDate(s) : undefined;
  if (d === undefined) badRequest(`${what} '${show(s)}' is not an m2m:timestamp (YYYYMMDDThhmmss[,ffffff], UTC)`);
  return d;
}

function toDate(s: string): Date | undefined {
  const m = TIMESTAMP.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, ms);
  // Date normalises overflow (Feb 30 -> Mar 2, 24:00 -> next day): reject anything that moved.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== sec
  ) {
    return undefined;
  }
  return date;
}
