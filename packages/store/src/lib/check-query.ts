import type { ResourceQuery } from '../types.js';
import { checkText } from './check-text.js';
import { isInt32 } from './is-int32.js';

const KEYS = new Set(['ty', 'lbl', 'cra', 'crb', 'exa', 'exb', 'ms', 'us', 'lvl', 'lim', 'ofst', 'order', 'after']);
const TIMES = ['cra', 'crb', 'exa', 'exb', 'ms', 'us'] as const;

function count(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || (v as number) < 0)
    throw new TypeError(`query ${what} must be a non-negative integer`);
  return v as number;
}

/** Validates a query; an unknown key or a bad value is a TypeError so a filter never silently widens. */
export function checkQuery(q: ResourceQuery | undefined): ResourceQuery {
  if (q === undefined) return {};
  if (typeof q !== 'object' || q === null) throw new TypeError('query must be an object');
  for (const k of Object.keys(q)) if (!KEYS.has(k)) throw new TypeError(`query has unknown condition '${k}'`);
  if (q.ty !== undefined) {
    if (!Array.isArray(q.ty) || !q.ty.every(isInt32)) {
      throw new TypeError('query ty must be an array of integers');
    }
  }
  if (q.lbl !== undefined) {
    if (!Array.isArray(q.lbl)) throw new TypeError('query lbl must be an array of strings');
    for (const [i, l] of q.lbl.entries()) checkText(l, `query lbl[${i}]`);
  }
  for (const k of TIMES) if (q[k] !== undefined) checkText(q[k], `query ${k}`);
  count(q.lvl, 'lvl');
  count(q.lim, 'lim');
  count(q.ofst, 'ofst');
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc' && q.order !== 'path') {
    throw new TypeError("query order must be 'asc', 'desc' or 'path'");
  }
  if (q.after !== undefined) {
    checkText(q.after, 'query after');
    if (q.order !== 'path') throw new TypeError("query after needs order 'path'");
  }
  return q;
}
