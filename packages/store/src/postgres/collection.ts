import { checkLimit } from '../lib/check-limit.js';
import { checkText } from '../lib/check-text.js';
import type { CollectionOps } from '../lib/facade.js';
import { lookupKey } from '../lib/lookup-key.js';
import { prefixUpperBound } from '../lib/prefix-bound.js';
import { toJson } from '../lib/to-json.js';
import type { PgStatements, Queryable } from './statements.js';

/** A collection in the one generic table; inserts use ON CONFLICT so no expected write raises an SQL error. */
export function pgCollection<T>(q: Queryable, s: PgStatements, name: string): CollectionOps<T> {
  checkText(name, 'collection name');
  const t = `${s.schema}.collections`;
  return {
    async get(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null) return undefined;
      const { rows } = await s.query<{ value: T }>(q, `SELECT value FROM ${t} WHERE name = $1 AND key = $2`, [name, k]);
      return rows[0]?.value;
    },
    async put(key, value) {
      const json = toJson(value, `value of ${name}/${key}`);
      await s.query(
        q,
        `INSERT INTO ${t} (name, key, value) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (name, key) DO UPDATE SET value = EXCLUDED.value`,
        [name, checkText(key, 'collection key', true), json],
      );
    },
    async insert(key, value) {
      const json = toJson(value, `value of ${name}/${key}`);
      const r = await s.query(
        q,
        `INSERT INTO ${t} (name, key, value) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING`,
        [name, checkText(key, 'collection key', true), json],
      );
      return r.rowCount === 1;
    },
    async delete(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null) return false;
      const r = await s.query(q, `DELETE FROM ${t} WHERE name = $1 AND key = $2`, [name, k]);
      return r.rowCount === 1;
    },
    async list(prefix = '', limit) {
      const p = lookupKey(prefix, 'collection key prefix');
      if (p === null) return [];
      const lim = checkLimit(limit, 'limit') ?? null;
      const to = prefixUpperBound(p);
      const { rows } =
        to === undefined
          ? await s.query<{ key: string; value: T }>(
              q,
              `SELECT key, value FROM ${t} WHERE name = $1 AND key >= $2 ORDER BY key LIMIT $3::bigint`,
              [name, p, lim],
            )
          : await s.query<{ key: string; value: T }>(
              q,
              `SELECT key, value FROM ${t} WHERE name = $1 AND key >= $2 AND key < $3 ORDER BY key LIMIT $4::bigint`,
              [name, p, to, lim],
            );
      return rows.map((r) => ({ key: r.key, value: r.value }));
    },
  };
}
