import type pg from 'pg';

export const POSTGRES_SCHEMA_VERSION = 2;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes a schema name after checking it is a plain identifier (it is spliced into SQL text). */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema)) {
    throw new TypeError(`schema must be a plain SQL identifier (letters, digits, _), got ${JSON.stringify(schema)}`);
  }
  return `"${schema}"`;
}

// The same model as the SQLite schema. COLLATE "C" makes text compare by bytes (= code points), which the
// srn prefix ranges, the collection key ranges and the ordering by ct/ri rely on, and lets btree indexes
// serve them. (ty, srn) serves a typed query bounded to a subtree as one index range (see the SQLite
// schema). Secondary index values of collection entries sit in their rows (i1..i3, u1; see the SQLite
// schema). Labels are a text[] with a GIN index for the && (any-of) filter. The resource is jsonb.
const ddl = (s: string) => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.resources (
  ri  text COLLATE "C" PRIMARY KEY,
  pi  text COLLATE "C" REFERENCES ${s}.resources (ri) ON DELETE CASCADE,
  srn text COLLATE "C" NOT NULL UNIQUE,
  ty  integer NOT NULL,
  ct  text COLLATE "C" NOT NULL,
  lt  text COLLATE "C" NOT NULL,
  et  text COLLATE "C",
  lvl integer NOT NULL,
  lbl text[] COLLATE "C" NOT NULL DEFAULT '{}',
  doc jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_children ON ${s}.resources (pi, ty, ct, ri);
DROP INDEX IF EXISTS ${s}.resources_ty;
CREATE INDEX IF NOT EXISTS resources_ty_srn ON ${s}.resources (ty, srn);
CREATE INDEX IF NOT EXISTS resources_et ON ${s}.resources (et) WHERE et IS NOT NULL;
CREATE INDEX IF NOT EXISTS resources_lbl ON ${s}.resources USING gin (lbl);
CREATE TABLE IF NOT EXISTS ${s}.collections (
  name  text COLLATE "C" NOT NULL,
  key   text COLLATE "C" NOT NULL,
  value jsonb NOT NULL,
  PRIMARY KEY (name, key)
);
ALTER TABLE ${s}.collections ADD COLUMN IF NOT EXISTS i1 text COLLATE "C",
  ADD COLUMN IF NOT EXISTS i2 text COLLATE "C", ADD COLUMN IF NOT EXISTS i3 text COLLATE "C",
  ADD COLUMN IF NOT EXISTS u1 text COLLATE "C";
CREATE INDEX IF NOT EXISTS collections_i1 ON ${s}.collections (name, i1, key) WHERE i1 IS NOT NULL;
CREATE INDEX IF NOT EXISTS collections_i2 ON ${s}.collections (name, i2, key) WHERE i2 IS NOT NULL;
CREATE INDEX IF NOT EXISTS collections_i3 ON ${s}.collections (name, i3, key) WHERE i3 IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS collections_u1 ON ${s}.collections (name, u1) WHERE u1 IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.store_meta (version integer NOT NULL);
`;

/**
 * Creates the schema and tables if absent. An advisory lock keyed by the schema name serializes
 * concurrent openers (CREATE ... IF NOT EXISTS alone races between sessions).
 */
export async function migratePostgres(client: pg.ClientBase, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`m2msec-store:${schema}`]);
    await client.query(ddl(s));
    const { rows } = await client.query<{ version: number }>(`SELECT max(version) AS version FROM ${s}.store_meta`);
    const version = rows[0]?.version ?? 0;
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new Error(`store schema version ${version} is newer than this code supports (${POSTGRES_SCHEMA_VERSION})`);
    }
    if (version < POSTGRES_SCHEMA_VERSION) {
      await client.query(`DELETE FROM ${s}.store_meta`);
      await client.query(`INSERT INTO ${s}.store_meta (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
