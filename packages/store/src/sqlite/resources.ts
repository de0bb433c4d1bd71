import type Database from 'better-sqlite3';
import { checkLimit } from '../lib/check-limit.js';
import { checkQuery } from '../lib/check-query.js';
import { checkResource, type ResourceRow } from '../lib/check-resource.js';
import { checkText } from '../lib/check-text.js';
import type { ResourceOps } from '../lib/facade.js';
import { isInt32 } from '../lib/is-int32.js';
import { lookupKey } from '../lib/lookup-key.js';
import { filterConditions, orderBy } from '../lib/query-sql.js';
import { type ResourceQuery, StoreConflictError, type StoredResource, StoreNotFoundError } from '../types.js';

type Statement = Database.Statement<unknown[], unknown>;

const COLUMNS = 'ri, pi, srn, ty, ct, lt, et, lvl, doc';
/** Prepared query shapes kept per connection; past this the cache starts again (see #select). */
const MAX_SHAPES = 256;

function parse(doc: string): StoredResource {
  return JSON.parse(doc) as StoredResource;
}

function sqliteCode(e: unknown): string | undefined {
  return (e as { code?: unknown })?.code as string | undefined;
}

/**
 * Resource operations on one better-sqlite3 connection, synchronous (the caller wraps them in promises).
 * Fixed statements are prepared once; query shapes (which filters are present) are prepared on first use
 * and cached, so every call after the first binds and steps only.
 */
export class SqliteResourceOps implements ResourceOps {
  readonly #db: Database.Database;
  readonly #shapes = new Map<string, Statement>();
  readonly #get: Statement;
  readonly #getBySrn: Statement;
  readonly #base: Statement;
  readonly #bounds: Statement;
  readonly #insertRoot: Statement;
  readonly #insertChild: Statement;
  readonly #insertLabel: Statement;
  readonly #deleteLabels: Statement;
  readonly #update: Statement;
  readonly #identity: Statement;
  readonly #count: Statement;
  readonly #countTy: Statement;
  readonly #subtree: Statement;
  readonly #deleteSubtree: Statement;
  readonly #deleteOne: Statement;
  readonly #expired: Statement;
  readonly #createTx: (row: ResourceRow) => void;
  readonly #updateTx: (row: ResourceRow) => number;
  readonly #deleteTx: (ri: string) => StoredResource[];

  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT doc FROM resources WHERE ri = ?').pluck();
    this.#getBySrn = db.prepare('SELECT doc FROM resources WHERE srn = ?').pluck();
    this.#base = db.prepare('SELECT srn, doc FROM resources WHERE ri = ?');
    this.#bounds = db.prepare('SELECT srn, lvl FROM resources WHERE ri = ?');
    this.#insertRoot = db.prepare(`INSERT INTO resources (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // The parent must exist with the child's parent path as srn; the foreign key re-checks existence
    // at insert time, so a parent deleted by another connection meanwhile still fails the insert.
    this.#insertChild = db.prepare(
      `INSERT INTO resources (${COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
       WHERE EXISTS (SELECT 1 FROM resources WHERE ri = ? AND srn = ?)`,
    );
    this.#insertLabel = db.prepare('INSERT OR IGNORE INTO resource_labels (ri, lbl) VALUES (?, ?)');
    this.#deleteLabels = db.prepare('DELETE FROM resource_labels WHERE ri = ?');
    this.#update = db.prepare(
      'UPDATE resources SET ct = ?, lt = ?, et = ?, doc = ? WHERE ri = ? AND pi IS ? AND srn = ? AND ty = ?',
    );
    this.#identity = db.prepare('SELECT 1 FROM resources WHERE ri = ?').pluck();
    this.#count = db.prepare('SELECT count(*) FROM resources WHERE pi IS ?').pluck();
    this.#countTy = db.prepare('SELECT count(*) FROM resources WHERE pi IS ? AND ty = ?').pluck();
    this.#subtree = db.prepare('SELECT doc FROM resources WHERE srn >= ? AND srn < ? ORDER BY lvl, ct, ri').pluck();
    this.#deleteSubtree = db.prepare('DELETE FROM resources WHERE srn >= ? AND srn < ?');
    this.#deleteOne = db.prepare('DELETE FROM resources WHERE ri = ?');
    this.#expired = db
      .prepare('SELECT doc FROM resources WHERE et IS NOT NULL AND et < ? ORDER BY et, ri LIMIT ?')
      .pluck();

    // better-sqlite3 turns these into SAVEPOINTs when a store transaction is already open.
    this.#createTx = db.transaction((row: ResourceRow) => {
      this.#insert(row);
      for (const l of row.lbl) this.#insertLabel.run(row.ri, l);
    }).immediate;
    this.#updateTx = db.transaction((row: ResourceRow) => {
      const { changes } = this.#update.run(row.ct, row.lt, row.et, row.doc, row.ri, row.pi, row.srn, row.ty);
      if (changes === 0) return 0;
      this.#deleteLabels.run(row.ri);
      for (const l of row.lbl) this.#insertLabel.run(row.ri, l);
      return changes;
    }).immediate;
    this.#deleteTx = db.transaction((ri: string) => {
      const base = this.#base.get(ri) as { srn: string; doc: string } | undefined;
      if (base === undefined) return [];
      // Children of 'a/b' are exactly the srns in ['a/b/', 'a/b0'): '0' follows '/' in code point order.
      // A range, not LIKE, so '%', '_' and '.' in segments need no escaping and the srn index is used.
      const from = `${base.srn}/`;
      const to = `${base.srn}0`;
      const below = (this.#subtree.all(from, to) as string[]).map(parse);
      this.#deleteSubtree.run(from, to);
      this.#deleteOne.run(ri);
      return [parse(base.doc), ...below];
    }).immediate;
  }

  get(ri: string): StoredResource | undefined {
    const key = lookupKey(ri, 'ri');
    if (key === null) return undefined;
    const doc = this.#get.get(key) as string | undefined;
    return doc === undefined ? undefined : parse(doc);
  }

  getBySrn(srn: string): StoredResource | undefined {
    const key = lookupKey(srn, 'srn');
    if (key === null) return undefined;
    const doc = this.#getBySrn.get(key) as string | undefined;
    return doc === undefined ? undefined : parse(doc);
  }

  children(pi: string, q?: ResourceQuery): StoredResource[] {
    const query = checkQuery(q);
    const key = lookupKey(pi, 'pi');
    if (key === null) return [];
    const params: unknown[] = [];
    const where = key === '' ? ['r.pi IS NULL'] : ['r.pi = ?'];
    if (key !== '') params.push(key);
    return this.#select('FROM resources r', where, params, query);
  }

  descendants(ri: string, q?: ResourceQuery): StoredResource[] {
    const query = checkQuery(q);
    const key = lookupKey(ri, 'ri');
    if (key === null) return [];
    const base = this.#bounds.get(key) as { srn: string; lvl: number } | undefined;
    if (base === undefined) return [];
    // Descendants of 'a/b' are exactly the srns in ['a/b/', 'a/b0'): '0' follows '/' in code point order.
    // Bound by values, not by a join, so the planner sees a range on srn and serves `ty = ? AND srn in
    // range` from the (ty, srn) index instead of walking every resource of that type.
    const params: unknown[] = [`${base.srn}/`, `${base.srn}0`];
    const where = ['r.srn >= ?', 'r.srn < ?'];
    if (query.lvl !== undefined) {
      where.push('r.lvl <= ?');
      params.push(base.lvl + query.lvl);
    }
    return this.#select('FROM resources r', where, params, query);
  }

  countChildren(pi: string, ty?: number): number {
    const key = lookupKey(pi, 'pi');
    if (key === null) return 0;
    if (ty !== undefined && !isInt32(ty)) throw new TypeError('ty must be an integer (32-bit)');
    // pi IS ? matches NULL (roots, pi '') and equal text alike and still uses the (pi, ty, ct, ri) index.
    const pk = key === '' ? null : key;
    return (ty === undefined ? this.#count.get(pk) : this.#countTy.get(pk, ty)) as number;
  }

  create(r: StoredResource): void {
    const row = checkResource(r);
    if (row.lbl.length === 0) this.#insert(row);
    else this.#createTx(row);
  }

  update(r: StoredResource): void {
    const row = checkResource(r);
    if (this.#updateTx(row) > 0) return;
    if (this.#identity.get(row.ri) === undefined) throw new StoreNotFoundError(`resource ${row.ri} not found`);
    throw new TypeError(`update of resource ${row.ri} would change its pi, srn or ty`);
  }

  delete(ri: string): StoredResource[] {
    const key = lookupKey(ri, 'ri');
    return key === null ? [] : this.#deleteTx(key);
  }

  expired(now: string, limit: number): StoredResource[] {
    checkText(now, 'now');
    const lim = checkLimit(limit, 'limit') ?? 0;
    return (this.#expired.all(now, lim) as string[]).map(parse);
  }

  #insert(row: ResourceRow): void {
    const values = [row.ri, row.pi, row.srn, row.ty, row.ct, row.lt, row.et, row.lvl, row.doc];
    let changes: number;
    try {
      changes =
        row.pi === null
          ? this.#insertRoot.run(...values).changes
          : this.#insertChild.run(...values, row.pi, row.parentSrn).changes;
    } catch (e) {
      const code = sqliteCode(e);
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new StoreConflictError(`resource ri ${row.ri} or srn ${row.srn} already exists`);
      }
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw parentMissing(row);
      throw e;
    }
    if (changes === 0) throw parentMissing(row);
  }

  #select(from: string, where: string[], params: unknown[], q: ResourceQuery): StoredResource[] {
    const conditions = [
      ...where,
      ...filterConditions(q, {
        param: (v) => {
          params.push(v);
          return '?';
        },
        tyAnyOf: (ty) => {
          // One type (GET la / ol, most filters): an equality keeps the (pi, ty, ct) index order, so
          // `lim 1` reads one row; json_each makes SQLite sort every child of that type first.
          if (ty.length === 1) {
            params.push(ty[0]);
            return 'r.ty = ?';
          }
          params.push(JSON.stringify(ty));
          return 'r.ty IN (SELECT value FROM json_each(?))';
        },
        lblAnyOf: (lbl) => {
          params.push(JSON.stringify(lbl));
          // Driven from the label index (the resources carrying the label), so a label query costs its
          // matches rather than a walk of the subtree.
          return 'r.ri IN (SELECT l.ri FROM resource_labels l WHERE l.lbl IN (SELECT value FROM json_each(?)))';
        },
      }),
    ];
    // LIMIT and OFFSET are literals (checkQuery admits only safe non-negative integers), not parameters:
    // SQLite (3.47+) lets a bound LIMIT steer the planner and then re-prepares the statement on every
    // re-bind, which cost a full parse and plan per GET `la`. Distinct literals make distinct shapes, so
    // the cache is bounded (a client varying `lim` costs a prepare, as every call did before).
    const sql = `SELECT r.doc ${from} WHERE ${conditions.join(' AND ')} ${orderBy(q)} LIMIT ${q.lim ?? -1} OFFSET ${q.ofst ?? 0}`;
    let stmt = this.#shapes.get(sql);
    if (stmt === undefined) {
      if (this.#shapes.size >= MAX_SHAPES) this.#shapes.clear();
      stmt = this.#db.prepare(sql).pluck();
      this.#shapes.set(sql, stmt);
    }
    return (stmt.all(...params) as string[]).map(parse);
  }
}

function parentMissing(row: ResourceRow): StoreNotFoundError {
  return new StoreNotFoundError(`parent resource ${row.pi} with srn ${row.parentSrn} not found`);
}
