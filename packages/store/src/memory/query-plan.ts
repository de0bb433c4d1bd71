// How the in-memory store answers a children or subtree query (TS-0004 7.3.3.17 filter criteria): each index
// that can deliver the candidates offers itself as a source with its exact size, the smallest is read, and
// every condition is then checked on each candidate. When the source already yields the requested order
// (ct for the children lists, srn for the path ranges) the walk stops after ofst + lim matches, as an index
// scan with LIMIT does; otherwise the matches are sorted, as the databases sort (a temporary B-tree).
import type { ResourceRow } from '../lib/check-resource.js';
import { compareCodePoints } from '../lib/compare-code-points.js';
import type { ResourceQuery } from '../types.js';

export interface Source {
  /** How many candidates it yields (its read cost). */
  cost: number;
  /** The order it yields them in: (ct, ri) ascending, srn ascending, or none. */
  order: 'ct' | 'srn' | 'none';
  /** The candidates in its order (reversed on request when the order is 'ct'). */
  rows(reverse: boolean): Iterable<ResourceRow>;
}

/** Whether `r` meets the filter conditions of `q` (half-open time bounds, Table 7.3.3.17.0-1). */
export function meets(r: ResourceRow, q: ResourceQuery): boolean {
  if (q.ty !== undefined && !q.ty.includes(r.ty)) return false;
  if (q.lbl !== undefined && !q.lbl.some((l) => r.lbl.includes(l))) return false;
  if (q.cra !== undefined && compareCodePoints(r.ct, q.cra) < 0) return false;
  if (q.crb !== undefined && compareCodePoints(r.ct, q.crb) >= 0) return false;
  // A resource without et matches neither bound (SQL: NULL compares false).
  if (q.exa !== undefined && (r.et === null || compareCodePoints(r.et, q.exa) < 0)) return false;
  if (q.exb !== undefined && (r.et === null || compareCodePoints(r.et, q.exb) >= 0)) return false;
  if (q.ms !== undefined && compareCodePoints(r.lt, q.ms) < 0) return false;
  if (q.us !== undefined && compareCodePoints(r.lt, q.us) >= 0) return false;
  if (q.after !== undefined && compareCodePoints(r.srn, q.after) <= 0) return false;
  return true;
}

const byCt = (a: ResourceRow, b: ResourceRow) => compareCodePoints(a.ct, b.ct) || compareCodePoints(a.ri, b.ri);

/** Reads the cheapest source; keeps the rows in `scope` that meet `q`, in q's order, paged by ofst / lim. */
export function runQuery(sources: Source[], scope: (r: ResourceRow) => boolean, q: ResourceQuery): ResourceRow[] {
  const lim = q.lim ?? Number.POSITIVE_INFINITY;
  if (lim === 0 || sources.length === 0) return [];
  const ofst = q.ofst ?? 0;
  const order = q.order ?? 'asc';
  let best = sources[0]!;
  for (const s of sources) if (s.cost < best.cost) best = s;
  const keep = (r: ResourceRow) => scope(r) && meets(r, q);
  if (order === 'path' ? best.order === 'srn' : best.order === 'ct') {
    const out: ResourceRow[] = [];
    let skip = ofst;
    for (const r of best.rows(order === 'desc')) {
      if (!keep(r)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(r);
      if (out.length >= lim) break;
    }
    return out;
  }
  const all: ResourceRow[] = [];
  for (const r of best.rows(false)) if (keep(r)) all.push(r);
  if (order === 'path') all.sort((a, b) => compareCodePoints(a.srn, b.srn));
  else if (order === 'desc') all.sort((a, b) => byCt(b, a));
  else all.sort(byCt);
  return all.slice(ofst, ofst + lim);
}
