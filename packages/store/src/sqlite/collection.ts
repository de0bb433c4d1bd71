import type Database from 'better-sqlite3';
import { checkLimit } from '../lib/check-limit.js';
import { checkText } from '../lib/check-text.js';
import type { CollectionOps } from '../lib/facade.js';
import { type IndexRegistry, SLOTS, type Slot } from '../lib/indexes.js';
import { lookupKey } from '../lib/lookup-key.js';
import { prefixUpperBound } from '../lib/prefix-bound.js';
import { toJson } from '../lib/to-json.js';
import { StoreConflictError } from '../types.js';

type Statement = Database.Statement<unknown[], unknown>;
type Row = { key: string; value: string };

/** The statements every collection shares (one generic table keyed by collection name). */
export class SqliteCollectionStatements {
  readonly get: Statement;
  readonly put: Statement;
  readonly insert: Statement;
  readonly delete: Statement;
  readonly listFrom: Statement;
  readonly listRange: Statement;
  /** Per index slot: equality, and ranges with or without an upper bound (each one index range). */
  readonly find = {} as Record<Slot, Statement>;
  readonly rangeFrom = {} as Record<Slot, Statement>;
  readonly rangeBelow = {} as Record<Slot, Statement>;

  constructor(db: Database.Database) {
    this.get = db.prepare('SELECT value FROM collections WHERE name = ? AND key = ?').pluck();
    this.put = db.prepare(
      `INSERT INTO collections (name, key, value, i1, i2, i3, u1) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name, key) DO UPDATE SET value = excluded.value, i1 = excluded.i1, i2 = excluded.i2,
       i3 = excluded.i3, u1 = excluded.u1`,
    );
    this.insert = db.prepare(
      'INSERT INTO collections (name, key, value, i1, i2, i3, u1) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, key) DO NOTHING',
    );
    this.delete = db.prepare('DELETE FROM collections WHERE name = ? AND key = ?');
    this.listFrom = db.prepare(
      'SELECT key, value FROM collections WHERE name = ? AND key >= ? ORDER BY key LIMIT ? OFFSET ?',
    );
    this.listRange = db.prepare(
      'SELECT key, value FROM collections WHERE name = ? AND key >= ? AND key < ? ORDER BY key LIMIT ? OFFSET ?',
    );
    // INDEXED BY: without statistics the planner prefers walking the primary key range of the whole
    // collection (name = ?, already in key order) to the index plus a row lookup each; it is the index.
    for (const c of SLOTS) {
      const from = `FROM collections INDEXED BY collections_${c}`;
      this.find[c] = db.prepare(`SELECT key, value ${from} WHERE name = ? AND ${c} = ? ORDER BY key LIMIT ?`);
      this.rangeFrom[c] = db.prepare(
        `SELECT key, value ${from} WHERE name = ? AND ${c} >= ? ORDER BY ${c}, key LIMIT ?`,
      );
      this.rangeBelow[c] = db.prepare(
        `SELECT key, value ${from} WHERE name = ? AND ${c} >= ? AND ${c} < ? ORDER BY ${c}, key LIMIT ?`,
      );
    }
  }
}

/** A unique index clash (SQLITE_CONSTRAINT_UNIQUE on u1) as the store's conflict error. */
function write<R>(name: string, key: string, op: () => R): R {
  try {
    return op();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new StoreConflictError(`${name}/${key}: a unique index value is already taken`);
    }
    throw e;
  }
}

const parse = <T>(rows: unknown[]) => (rows as Row[]).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));

export function sqliteCollection<T>(
  s: SqliteCollectionStatements,
  name: string,
  registry: IndexRegistry,
): CollectionOps<T> {
  checkText(name, 'collection name');
  return {
    get(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null) return undefined;
      const v = s.get.get(name, k) as string | undefined;
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    put(key, value) {
      const k = checkText(key, 'collection key', true);
      const json = toJson(value, `value of ${name}/${key}`);
      const ix = registry.of(name).values(value);
      write(name, k, () => s.put.run(name, k, json, ...ix));
    },
    insert(key, value) {
      const k = checkText(key, 'collection key', true);
      const json = toJson(value, `value of ${name}/${key}`);
      const ix = registry.of(name).values(value);
      return write(name, k, () => s.insert.run(name, k, json, ...ix).changes === 1);
    },
    delete(key) {
      const k = lookupKey(key, 'collection key');
      return k !== null && s.delete.run(name, k).changes === 1;
    },
    list(prefix = '', limit, offset) {
      const p = lookupKey(prefix, 'collection key prefix');
      const lim = checkLimit(limit, 'limit') ?? -1;
      const off = checkLimit(offset, 'offset') ?? 0;
      if (p === null) return [];
      const to = prefixUpperBound(p);
      return parse<T>(to === undefined ? s.listFrom.all(name, p, lim, off) : s.listRange.all(name, p, to, lim, off));
    },
    find(index, value, limit) {
      const slot = registry.of(name).get(index).slot;
      const lim = checkLimit(limit, 'limit') ?? -1;
      const v = lookupKey(value, 'index value');
      return v === null ? [] : parse<T>(s.find[slot].all(name, v, lim));
    },
    range(index, bounds) {
      const slot = registry.of(name).get(index).slot;
      const lim = checkLimit(bounds?.limit, 'limit') ?? -1;
      const from = lookupKey(bounds?.from ?? '', 'range from');
      const below = bounds?.below === undefined ? undefined : lookupKey(bounds.below, 'range below');
      if (from === null || below === null) return [];
      return parse<T>(
        below === undefined ? s.rangeFrom[slot].all(name, from, lim) : s.rangeBelow[slot].all(name, from, below, lim),
      );
    },
  };
}
