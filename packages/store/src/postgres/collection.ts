import { checkLimit } from '../lib/check-limit.js';
import { checkText } from '../lib/check-text.js';
import type { CollectionOps } from '../lib/facade.js';
import type { IndexRegistry } from '../lib/indexes.js';
import { lookupKey } from '../lib/lookup-key.js';
import { prefixUpperBound } from '../lib/prefix-bound.js';
import { toJson } from '../lib/to-json.js';
import { StoreConflictError } from '../types.js';
import type { PgStatements, Queryable } from './statements.js';

/** A unique index clash (23505 on the u1 index) as the store's conflict error. */
async function write<R>(name: string, key: string, op: () => Promise<R>): Promise<R> {
  try {
    return await op();
  } catch (e) {
    if ((e as { code?: string }).code === '23505') {
      throw new StoreConflictError(`${name}/${key}: a unique index value is already taken`);
    }
    throw e;
  }
}

/**
 * A collection in the one generic table; inserts use ON CONFLICT (name, key) so no expected write raises an
 * SQL error. Index values are columns of the same row, written by the same statement as the value.
 */
export function pgCollection<T>(
  q: Queryable,
  s: PgStatements,
  name: string,
  registry: IndexRegistry,
): CollectionOps<T> {
  checkText(name, 'collection name');
  const t = `${s.schema}.collections`;
  type Row = { key: string; value: T };
  return {
    async get(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null) return undefined;
      const { rows } = await s.query<{ value: T }>(q, `SELECT value FROM ${t} WHERE name = $1 AND key = $2`, [name, k]);
      return rows[0]?.value;
    },
    async put(key, value) {
      const k = checkText(key, 'collection key', true);
      const json = toJson(value, `value of ${name}/${key}`);
      const ix = registry.of(name).values(value);
      await write(name, k, () =>
        s.query(
          q,
          `INSERT INTO ${t} (name, key, value, i1, i2, i3, u1) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)
           ON CONFLICT (name, key) DO UPDATE SET value = EXCLUDED.value, i1 = EXCLUDED.i1, i2 = EXCLUDED.i2,
           i3 = EXCLUDED.i3, u1 = EXCLUDED.u1`,
          [name, k, json, ...ix],
        ),
      );
    },
    async insert(key, value) {
      const k = checkText(key, 'collection key', true);
      const json = toJson(value, `value of ${name}/${key}`);
      const ix = registry.of(name).values(value);
      const r = await write(name, k, () =>
        s.query(
          q,
          `INSERT INTO ${t} (name, key, value, i1, i2, i3, u1) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)
           ON CONFLICT (name, key) DO NOTHING`,
          [name, k, json, ...ix],
        ),
      );
      return r.rowCount === 1;
    },
    async delete(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null) return false;
      const r = await s.query(q, `DELETE FROM ${t} WHERE name = $1 AND key = $2`, [name, k]);
      return r.rowCount === 1;
    },
    async list(prefix = '', limit, offset) {
      const p = lookupKey(prefix, 'collection key prefix');
      const lim = checkLimit(limit, 'limit') ?? null;
      const off = checkLimit(offset, 'offset') ?? 0;
      if (p === null) return [];
      const to = prefixUpperBound(p);
      const { rows } =
        to === undefined
          ? await s.query<Row>(
              q,
              `SELECT key, value FROM ${t} WHERE name = $1 AND key >= $2 ORDER BY key LIMIT $3::bigint OFFSET $4::bigint`,
              [name, p, lim, off],
            )
          : await s.query<Row>(
              q,
              `SELECT key, value FROM ${t} WHERE name = $1 AND key >= $2 AND key < $3 ORDER BY key
               LIMIT $4::bigint OFFSET $5::bigint`,
              [name, p, to, lim, off],
            );
      return rows.map((r) => ({ key: r.key, value: r.value }));
    },
    async find(index, value, limit) {
      const c = registry.of(name).get(index).slot;
      const lim = checkLimit(limit, 'limit') ?? null;
      const v = lookupKey(value, 'index value');
      if (v === null) return [];
      const { rows } = await s.query<Row>(
        q,
        `SELECT key, value FROM ${t} WHERE name = $1 AND ${c} = $2 ORDER BY key LIMIT $3::bigint`,
        [name, v, lim],
      );
      return rows.map((r) => ({ key: r.key, value: r.value }));
    },
    async range(index, bounds) {
      const c = registry.of(name).get(index).slot;
      const lim = checkLimit(bounds?.limit, 'limit') ?? null;
      const from = lookupKey(bounds?.from ?? '', 'range from');
      const below = bounds?.below === undefined ? undefined : lookupKey(bounds.below, 'range below');
      if (from === null || below === null) return [];
      const { rows } =
        below === undefined
          ? await s.query<Row>(
              q,
              `SELECT key, value FROM ${t} WHERE name = $1 AND ${c} >= $2 ORDER BY ${c}, key LIMIT $3::bigint`,
              [name, from, lim],
            )
          : await s.query<Row>(
              q,
              `SELECT key, value FROM ${t} WHERE name = $1 AND ${c} >= $2 AND ${c} < $3 ORDER BY ${c}, key
               LIMIT $4::bigint`,
              [name, from, below, lim],
            );
      return rows.map((r) => ({ key: r.key, value: r.value }));
    },
  };
}
