import { checkLimit } from '../lib/check-limit.js';
import { checkQuery } from '../lib/check-query.js';
import { checkResource, type ResourceRow } from '../lib/check-resource.js';
import { checkText } from '../lib/check-text.js';
import { compareCodePoints } from '../lib/compare-code-points.js';
import type { ResourceOps } from '../lib/facade.js';
import { isInt32 } from '../lib/is-int32.js';
import { lookupKey } from '../lib/lookup-key.js';
import { filterConditions, orderBy } from '../lib/query-sql.js';
import { type ResourceQuery, StoreConflictError, type StoredResource, StoreNotFoundError } from '../types.js';
import type { PgStatements, Queryable } from './statements.js';

type DocRow = { doc: StoredResource };

/**
 * Resource operations over a pool (each call its own autocommit statement) or over a transaction's client.
 * Writes never raise an expected SQL error (ON CONFLICT DO NOTHING, row counts), because in PostgreSQL any
 * error aborts the enclosing transaction, and a caller may catch a StoreConflictError and carry on.
 */
export class PgResourceOps implements ResourceOps {
  readonly #q: Queryable;
  readonly #s: PgStatements;
  readonly #t: string;

  constructor(q: Queryable, s: PgStatements) {
    this.#q = q;
    this.#s = s;
    this.#t = `${s.schema}.resources`;
  }

  async get(ri: string): Promise<StoredResource | undefined> {
    const key = lookupKey(ri, 'ri');
    if (key === null) return undefined;
    const { rows } = await this.#s.query<DocRow>(this.#q, `SELECT doc FROM ${this.#t} WHERE ri = $1`, [key]);
    return rows[0]?.doc;
  }

  async getBySrn(srn: string): Promise<StoredResource | undefined> {
    const key = lookupKey(srn, 'srn');
    if (key === null) return undefined;
    const { rows } = await this.#s.query<DocRow>(this.#q, `SELECT doc FROM ${this.#t} WHERE srn = $1`, [key]);
    return rows[0]?.doc;
  }

  async children(pi: string, q?: ResourceQuery): Promise<StoredResource[]> {
    const query = checkQuery(q);
    const key = lookupKey(pi, 'pi');
    if (key === null) return [];
    if (key === '') return this.#select(`FROM ${this.#t} r`, ['r.pi IS NULL'], [], query);
    return this.#select(`FROM ${this.#t} r`, ['r.pi = $1'], [key], query);
  }

  async descendants(ri: string, q?: ResourceQuery): Promise<StoredResource[]> {
    const query = checkQuery(q);
    const key = lookupKey(ri, 'ri');
    if (key === null) return [];
    // Descendants of 'a/b' are exactly the srns in ['a/b/', 'a/b0'): '0' follows '/' in byte order. A range,
    // not LIKE, so '%', '_' and '.' in segments need no escaping. The bounds come from a scalar subquery
    // (evaluated once, one round trip) so the planner sees a range on srn and serves `ty = $n AND srn in
    // range` from the (ty, srn) index rather than walking every resource of that type.
    const params: unknown[] = [key];
    const b = `(SELECT srn FROM ${this.#t} WHERE ri = $1)`;
    const where = [`r.srn >= ${b} || '/'`, `r.srn < ${b} || '0'`];
    if (query.lvl !== undefined) {
      params.push(query.lvl);
      where.push(`r.lvl <= (SELECT lvl FROM ${this.#t} WHERE ri = $1) + $${params.length}::bigint`);
    }
    return this.#select(`FROM ${this.#t} r`, where, params, query);
  }

  async countChildren(pi: string, ty?: number): Promise<number> {
    const key = lookupKey(pi, 'pi');
    if (key === null) return 0;
    if (ty !== undefined && !isInt32(ty)) throw new TypeError('ty must be an integer (32-bit)');
    const where = [key === '' ? 'pi IS NULL' : 'pi = $1'];
    const params: unknown[] = key === '' ? [] : [key];
    if (ty !== undefined) {
      params.push(ty);
      where.push(`ty = $${params.length}`);
    }
    const sql = `SELECT count(*)::int AS n FROM ${this.#t} WHERE ${where.join(' AND ')}`;
    const { rows } = await this.#s.query<{ n: number }>(this.#q, sql, params);
    return rows[0]!.n; // an aggregate without GROUP BY returns exactly one row
  }

  async create(r: StoredResource): Promise<void> {
    const row = checkResource(r);
    const values = [row.ri, row.pi, row.srn, row.ty, row.ct, row.lt, row.et, row.lvl, row.lbl, row.doc];
    const select =
      'SELECT $1::text, $2::text, $3::text, $4::int, $5::text, $6::text, $7::text, $8::int, $9::text[], $10::jsonb';
    // The parent must exist with the child's parent path as srn; the foreign key re-checks at insert time,
    // so a parent another process deletes meanwhile still fails the insert (SQLSTATE 23503).
    const sql =
      row.pi === null
        ? `INSERT INTO ${this.#t} (ri, pi, srn, ty, ct, lt, et, lvl, lbl, doc) ${select} ON CONFLICT DO NOTHING`
        : `INSERT INTO ${this.#t} (ri, pi, srn, ty, ct, lt, et, lvl, lbl, doc) ${select}
           WHERE EXISTS (SELECT 1 FROM ${this.#t} WHERE ri = $2 AND srn = $11) ON CONFLICT DO NOTHING`;
    let inserted: number;
    try {
      const result = await this.#s.query(this.#q, sql, row.pi === null ? values : [...values, row.parentSrn]);
      inserted = result.rowCount ?? 0;
    } catch (e) {
      if ((e as { code?: string }).code === '23503') throw parentMissing(row);
      throw e;
    }
    if (inserted === 1) return;
    const { rows } = await this.#s.query<{ clash: boolean }>(
      this.#q,
      // a SELECT without FROM returns exactly one row
      `SELECT EXISTS (SELECT 1 FROM ${this.#t} WHERE ri = $1 OR srn = $2) AS clash`,
      [row.ri, row.srn],
    );
    if (rows[0]!.clash) throw new StoreConflictError(`resource ri ${row.ri} or srn ${row.srn} already exists`);
    throw parentMissing(row);
  }

  async update(r: StoredResource): Promise<void> {
    const row = checkResource(r);
    const result = await this.#s.query(
      this.#q,
      `UPDATE ${this.#t} SET ct = $1, lt = $2, et = $3, lbl = $4::text[], doc = $5::jsonb
       WHERE ri = $6 AND pi IS NOT DISTINCT FROM $7::text AND srn = $8 AND ty = $9`,
      [row.ct, row.lt, row.et, row.lbl, row.doc, row.ri, row.pi, row.srn, row.ty],
    );
    if (result.rowCount === 1) return;
    const { rows } = await this.#s.query(this.#q, `SELECT 1 FROM ${this.#t} WHERE ri = $1`, [row.ri]);
    if (rows.length === 0) throw new StoreNotFoundError(`resource ${row.ri} not found`);
    throw new TypeError(`update of resource ${row.ri} would change its pi, srn or ty`);
  }

  async delete(ri: string): Promise<StoredResource[]> {
    const key = lookupKey(ri, 'ri');
    if (key === null) return [];
    // One statement, so it is atomic without a transaction. A child another process inserts concurrently
    // is removed by the foreign key cascade (it is then missing from the returned list).
    const { rows } = await this.#s.query<DocRow & { lvl: number; ct: string; ri: string }>(
      this.#q,
      `WITH b AS (SELECT srn FROM ${this.#t} WHERE ri = $1)
       DELETE FROM ${this.#t} r USING b
       WHERE r.srn = b.srn OR (r.srn >= b.srn || '/' AND r.srn < b.srn || '0')
       RETURNING r.doc, r.lvl, r.ct, r.ri`,
      [key],
    );
    rows.sort((a, b) => a.lvl - b.lvl || compareCodePoints(a.ct, b.ct) || compareCodePoints(a.ri, b.ri));
    return rows.map((r) => r.doc);
  }

  async expired(now: string, limit: number): Promise<StoredResource[]> {
    checkText(now, 'now');
    const lim = checkLimit(limit, 'limit') ?? 0;
    const { rows } = await this.#s.query<DocRow>(
      this.#q,
      `SELECT doc FROM ${this.#t} WHERE et IS NOT NULL AND et < $1 ORDER BY et, ri LIMIT $2`,
      [now, lim],
    );
    return rows.map((r) => r.doc);
  }

  async #select(from: string, where: string[], params: unknown[], q: ResourceQuery): Promise<StoredResource[]> {
    const add = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const conditions = [
      ...where,
      ...filterConditions(q, {
        param: add,
        tyAnyOf: (ty) => `r.ty = ANY(${add(ty)}::int[])`,
        lblAnyOf: (lbl) => `r.lbl && ${add(lbl)}::text[]`,
      }),
    ];
    const limit = add(q.lim ?? null);
    const offset = add(q.ofst ?? 0);
    const sql = `SELECT r.doc ${from} WHERE ${conditions.join(' AND ')} ${orderBy(q)} LIMIT ${limit}::bigint OFFSET ${offset}::bigint`;
    const { rows } = await this.#s.query<DocRow>(this.#q, sql, params);
    return rows.map((r) => r.doc);
  }
}

function parentMissing(row: ResourceRow): StoreNotFoundError {
  return new StoreNotFoundError(`parent resource ${row.pi} with srn ${row.parentSrn} not found`);
}
