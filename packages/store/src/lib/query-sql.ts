import type { ResourceQuery } from '../types.js';

/** How a backend spells the parts of a resource query that differ between SQL dialects. */
export interface QueryDialect {
  /** Adds a parameter and returns its placeholder. */
  param(value: unknown): string;
  tyAnyOf(ty: number[]): string;
  lblAnyOf(lbl: string[]): string;
}

/**
 * The WHERE conditions for the filter part of a query on the table alias `r`. Time bounds are the
 * half-open intervals of TS-0004 Table 7.3.3.17.0-1; NULL et compares false, so it never matches exa/exb.
 */
export function filterConditions(q: ResourceQuery, d: QueryDialect): string[] {
  const where: string[] = [];
  if (q.ty !== undefined) where.push(q.ty.length === 1 ? `r.ty = ${d.param(q.ty[0])}` : d.tyAnyOf(q.ty));
  if (q.lbl !== undefined) where.push(d.lblAnyOf(q.lbl));
  if (q.cra !== undefined) where.push(`r.ct >= ${d.param(q.cra)}`);
  if (q.crb !== undefined) where.push(`r.ct < ${d.param(q.crb)}`);
  if (q.exa !== undefined) where.push(`r.et >= ${d.param(q.exa)}`);
  if (q.exb !== undefined) where.push(`r.et < ${d.param(q.exb)}`);
  if (q.ms !== undefined) where.push(`r.lt >= ${d.param(q.ms)}`);
  if (q.us !== undefined) where.push(`r.lt < ${d.param(q.us)}`);
  if (q.after !== undefined) where.push(`r.srn > ${d.param(q.after)}`);
  return where;
}

/** ORDER BY creation time, ri breaking ties so pages (lim/ofst) are stable; or by srn (unique). */
export function orderBy(q: ResourceQuery): string {
  if (q.order === 'path') return 'ORDER BY r.srn';
  return q.order === 'desc' ? 'ORDER BY r.ct DESC, r.ri DESC' : 'ORDER BY r.ct, r.ri';
}
