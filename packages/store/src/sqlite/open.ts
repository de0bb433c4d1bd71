import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LocalEventBus, PendingEvents } from '../events/local-bus.js';
import { collectionFacade, type Run, resourceFacade, txRun } from '../lib/facade.js';
import { Gate } from '../lib/gate.js';
import type { Store, StoreTransaction } from '../types.js';
import { SqliteCollectionStatements, sqliteCollection } from './collection.js';
import { SqliteResourceOps } from './resources.js';
import { migrateSqlite } from './schema.js';

export interface SqliteStoreOptions {
  /** Database file path, created if absent; ':memory:' for a private in-memory database (tests). */
  file: string;
  /**
   * When a commit is acknowledged, what it survives. 'full' (default): also power loss and OS crashes
   * (the WAL is fsynced on every commit). 'normal': process crashes such as SIGKILL only (the WAL reaches
   * the OS page cache on commit; it is fsynced at checkpoints), for several times more writes per second.
   */
  synchronous?: 'full' | 'normal';
  /** How long a write waits for another process's write lock before failing (SQLITE_BUSY). Default 5000. */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) the embedded SQLite store: one better-sqlite3 connection in WAL mode. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const { file, synchronous = 'full', busyTimeoutMs = 5000 } = options;
  if (typeof file !== 'string' || file === '') throw new TypeError('sqlite store needs a file path');
  if (synchronous !== 'full' && synchronous !== 'normal') throw new TypeError("synchronous must be 'full' or 'normal'");
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new TypeError('busyTimeoutMs must be >= 0');
  restrictToOwner(file);
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
    return new SqliteStore(db);
  } catch (e) {
    db.close();
    throw e;
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly resources;
  readonly #db: Database.Database;
  readonly #gate = new Gate();
  readonly #ops: SqliteResourceOps;
  readonly #collections: SqliteCollectionStatements;
  readonly #outside: Run = (op) => this.#gate.outside(op);
  /** Events reach this process only: several processes sharing one database use PostgreSQL (DESIGN.md 6). */
  readonly events = new LocalEventBus();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#ops = new SqliteResourceOps(db);
    this.#collections = new SqliteCollectionStatements(db);
    this.resources = resourceFacade(this.#outside, this.#ops);
  }

  collection<T = unknown>(name: string) {
    return collectionFacade<T>(this.#outside, sqliteCollection<T>(this.#collections, name));
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#gate.transaction(async () => {
      let active = true;
      const run = txRun(() => active);
      const pending = new PendingEvents(this.events);
      const tx: StoreTransaction = {
        kind: 'sqlite',
        events: pending.events,
        resources: resourceFacade(run, this.#ops),
        collection: <C>(name: string) => collectionFacade<C>(run, sqliteCollection<C>(this.#collections, name)),
      };
      // IMMEDIATE takes the write lock now, so a transaction never fails later upgrading a read lock.
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        active = false;
        this.#db.exec('COMMIT');
        await pending.flush();
        return result;
      } catch (e) {
        active = false;
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (await this.#gate.close()) this.#db.close();
  }
}

/**
 * The database holds resources, credential bindings and sealed key material: readable by its owner only.
 * Created 0600 before SQLite opens it (SQLite gives its -wal / -shm files the database file's mode); an
 * existing file with wider permissions is narrowed. ':memory:' and URI names are left alone.
 */
function restrictToOwner(file: string): void {
  if (file === ':memory:' || file.startsWith('file:')) return;
  closeSync(openSync(file, 'a', 0o600));
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  for (const side of [`${file}-wal`, `${file}-shm`]) {
    if (existsSync(side) && (statSync(side).mode & 0o077) !== 0) chmodSync(side, 0o600);
  }
}
