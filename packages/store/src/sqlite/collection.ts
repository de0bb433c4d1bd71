import type Database from 'better-sqlite3';
import { checkLimit } from '../lib/check-limit.js';
import { checkText } from '../lib/check-text.js';
import type { CollectionOps } from '../lib/facade.js';
import { lookupKey } from '../lib/lookup-key.js';
import { prefixUpperBound } from '../lib/prefix-bound.js';
import { toJson } from '../lib/to-json.js';

type Statement = Database.Statement<unknown[], unknown>;

/** The statements every collection shares (one generic table keyed by collection name). */
export class SqliteCollectionStatements {
  readonly get: Statement;
  readonly put: Statement;
  readonly insert: Statement;
  readonly delete: Statement;
  readonly listFrom: Statement;
  readonly listRange: Statement;

  constructor(db: Database.Database) {
    this.get = db.prepare('SELECT value FROM collections WHERE name = ? AND key = ?').pluck();
    this.put = db.prepare(
      'INSERT INTO collections (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value',
    );
    this.insert = db.prepare('INSERT INTO collections (name, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.delete = db.prepare('DELETE FROM collections WHERE name = ? AND key = ?');
    this.listFrom = db.prepare('SELECT key, value FROM collections WHERE name = ? AND key >= ? ORDER BY key LIMIT ?');
    this.listRange = db.prepare(
      'SELECT key, value FROM collections WHERE name = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?',
    );
  }
}

export function sqliteCollection<T>(s: SqliteCollectionStatements, name: string): CollectionOps<T> {
  checkText(name, 'collection name');
  return {
    get(key) {
      const k = lookupKey(key, 'collection key');
      if (k === null) return undefined;
      const v = s.get.get(name, k) as string | undefined;
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    put(key, value) {
      s.put.run(name, checkText(key, 'collection key', true), toJson(value, `value of ${name}/${key}`));
    },
    insert(key, value) {
      return (
        s.insert.run(name, checkText(key, 'collection key', true), toJson(value, `value of ${name}/${key}`)).changes ===
        1
      );
    },
    delete(key) {
      const k = lookupKey(key, 'collection key');
      return k !== null && s.delete.run(name, k).changes === 1;
    },
    list(prefix = '', limit) {
      const p = lookupKey(prefix, 'collection key prefix');
      if (p === null) return [];
      const lim = checkLimit(limit, 'limit') ?? -1;
      const to = prefixUpperBound(p);
      const rows = (to === undefined ? s.listFrom.all(name, p, lim) : s.listRange.all(name, p, to, lim)) as Array<{
        key: string;
        value: string;
      }>;
      return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
    },
  };
}
