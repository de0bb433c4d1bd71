import type Database from 'better-sqlite3';

export const SQLITE_SCHEMA_VERSION = 2;

// ri/pi form the tree the CSE walks; srn is the same tree by path. The parent foreign key (pi -> ri,
// NULL for a root) keeps a child from outliving its parent even when another process deletes it
// concurrently; create() additionally requires the parent's srn to be the child's parent path.
// lvl = number of srn segments, for subtree depth limits. BINARY collation orders text by code point,
// which is what the srn prefix ranges and collection key ranges rely on. (ty, srn) serves a typed query
// bounded to a subtree (discovery ty=4 under one AE) as one index range, where an index on ty alone
// walked every resource of that type in the CSE (it replaces that index; its prefix serves ty alone).
const DDL = `
CREATE TABLE IF NOT EXISTS resources (
  ri  TEXT PRIMARY KEY NOT NULL,
  pi  TEXT REFERENCES resources (ri) ON DELETE CASCADE,
  srn TEXT NOT NULL UNIQUE,
  ty  INTEGER NOT NULL,
  ct  TEXT NOT NULL,
  lt  TEXT NOT NULL,
  et  TEXT,
  lvl INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_children ON resources (pi, ty, ct, ri);
DROP INDEX IF EXISTS resources_ty;
CREATE INDEX IF NOT EXISTS resources_ty_srn ON resources (ty, srn);
CREATE INDEX IF NOT EXISTS resources_et ON resources (et) WHERE et IS NOT NULL;
CREATE TABLE IF NOT EXISTS resource_labels (
  ri  TEXT NOT NULL REFERENCES resources (ri) ON DELETE CASCADE,
  lbl TEXT NOT NULL,
  PRIMARY KEY (ri, lbl)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS resource_labels_lbl ON resource_labels (lbl);
CREATE TABLE IF NOT EXISTS collections (
  name  TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, key)
) WITHOUT ROWID;
`;

// Secondary index values of a collection entry (lib/indexes.ts), in the entry's own row: i1..i3 non-unique,
// u1 unique per collection. Partial indexes: only indexed entries take space; "i1 = ?" and "i1 >= ?"
// imply "i1 IS NOT NULL", so the planner uses them.
const INDEX_DDL = `
CREATE INDEX IF NOT EXISTS collections_i1 ON collections (name, i1, key) WHERE i1 IS NOT NULL;
CREATE INDEX IF NOT EXISTS collections_i2 ON collections (name, i2, key) WHERE i2 IS NOT NULL;
CREATE INDEX IF NOT EXISTS collections_i3 ON collections (name, i3, key) WHERE i3 IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS collections_u1 ON collections (name, u1) WHERE u1 IS NOT NULL;
`;

/** Creates the tables if absent (inside one write transaction, so concurrent openers agree). */
export function migrateSqlite(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new Error(`store schema version ${version} is newer than this code supports (${SQLITE_SCHEMA_VERSION})`);
    }
    db.exec(DDL);
    const columns = new Set((db.pragma('table_info(collections)') as Array<{ name: string }>).map((c) => c.name));
    for (const c of ['i1', 'i2', 'i3', 'u1']) {
      if (!columns.has(c)) db.exec(`ALTER TABLE collections ADD COLUMN ${c} TEXT`);
    }
    db.exec(INDEX_DDL);
    if (version < SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}
