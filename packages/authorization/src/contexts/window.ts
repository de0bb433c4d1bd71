// accessControlWindow (TS-0003 7.1.3): an m2m:scheduleEntry, the 7-field extended crontab of
// TS-0004 Table 7.4.9.1-4 (second minute hour day-of-month month day-of-week year), matched in UTC.
// Each field is '*', or a comma list of elements; an element is a number, a range 'a-b', or a range
// or '*' followed by a step '/n'. Every field must match (day-of-month and day-of-week are ANDed:
// the oneM2M text gives no OR rule like Vixie cron's, docs/authorization.md).
import { AccessControlRuleError, clip } from '../errors.js';
import type { RequestTime } from '../types.js';

const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 6 },
  { name: 'year', min: 2000, max: 9999 },
] as const;

const NUMBER = /^\d{1,4}$/;

export type TimeMatcher = (t: RequestTime) => boolean;

/** The set of values one field admits, as a lookup table indexed by value - min. */
function parseField(text: string, f: (typeof FIELDS)[number], path: string): Uint8Array {
  const table = new Uint8Array(f.max - f.min + 1);
  const fail = (why: string): never => {
    throw new AccessControlRuleError(path, `field ${f.name} '${clip(text)}' ${why}`);
  };
  const num = (s: string): number => {
    if (!NUMBER.test(s)) fail(`has '${clip(s)}' where a number is expected`);
    const n = Number(s);
    if (n < f.min || n > f.max) fail(`value ${n} is outside ${f.min}-${f.max}`);
    return n;
  };
  for (const element of text.split(',')) {
    if (element === '') fail('has an empty list element');
    const [range, stepText, extra] = element.split('/');
    if (extra !== undefined) fail(`element '${clip(element)}' has more than one step`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = f.min;
      hi = f.max;
    } else if (range!.includes('-')) {
      const [a, b, more] = range!.split('-');
      if (more !== undefined) fail(`range '${clip(range)}' is not a-b`);
      lo = num(a!);
      hi = num(b!);
      if (lo > hi) fail(`range ${lo}-${hi} is empty`);
    } else {
      lo = num(range!);
      hi = lo;
      // TS-0004 7.4.9.1: a step follows a range or '*', not a single number.
      if (stepText !== undefined) fail(`step '/${clip(stepText)}' must follow a range or '*'`);
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!NUMBER.test(stepText) || Number(stepText) < 1) fail(`step '/${clip(stepText)}' is not a positive number`);
      step = Number(stepText);
    }
    for (let v = lo; v <= hi; v += step) table[v - f.min] = 1;
  }
  return table;
}

/** Compiles one m2m:scheduleEntry; throws AccessControlRuleError naming the bad field. */
export function compileScheduleEntry(entry: unknown, path: string): TimeMatcher {
  if (typeof entry !== 'string') throw new AccessControlRuleError(path, 'must be an m2m:scheduleEntry string');
  const parts = entry.trim().split(/\s+/);
  if (parts.length !== 7) {
    throw new AccessControlRuleError(
      path,
      `'${clip(entry)}' must have 7 fields (second minute hour day-of-month month day-of-week year), has ${parts.length}`,
    );
  }
  const [s, mi, h, dom, mo, dow, y] = parts.map((p, i) =>
    p === '*' ? undefined : parseField(p, FIELDS[i]!, path),
  ) as (Uint8Array | undefined)[];
  // Fields that are '*' are left out of the closure: the common windows test two or three tables.
  const checks: TimeMatcher[] = [];
  if (h) checks.push((t) => h[t.hour] === 1);
  if (mi) checks.push((t) => mi[t.minute] === 1);
  if (s) checks.push((t) => s[t.second] === 1);
  if (dow) checks.push((t) => dow[t.dayOfWeek] === 1);
  if (dom) checks.push((t) => dom[t.dayOfMonth - 1] === 1);
  if (mo) checks.push((t) => mo[t.month - 1] === 1);
  if (y) checks.push((t) => y[t.year - 2000] === 1);
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0]!;
  if (checks.length === 2) {
    const [a, b] = checks as [TimeMatcher, TimeMatcher];
    return (t) => a(t) && b(t);
  }
  return (t) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(t)) return false;
    return true;
  };
}

/** rq_time as the UTC fields a schedule entry is matched against (TS-0004 7.4.9.1: UTC). */
export function requestTime(now: Date): RequestTime {
  return {
    second: now.getUTCSeconds(),
    minute: now.getUTCMinutes(),
    hour: now.getUTCHours(),
    dayOfMonth: now.getUTCDate(),
    month: now.getUTCMonth() + 1,
    dayOfWeek: now.getUTCDay(),
    year: now.getUTCFullYear(),
  };
}
