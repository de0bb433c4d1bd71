import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LocalEventBus, PendingEvents } from '../events/local-bus.js';
import { collectionFacade, type Run, resourceFacade, txRun } from '../lib/facade.js';
import { Gate } from '../lib/gate.js';
import { GroupCommit, type Queued } from '../lib/group-commit.js';
import { IndexRegistry } from '../lib/indexes.js';
import type { CollectionOptions, Store, StoreTransaction, TransactionOptions } from '../types.js';
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
  readonly #group = new GroupCommit(this.#gate, (group) => this.#commitGroup(group));
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

  readonly #indexes = new IndexRegistry();

  collection<T = unknown>(name: string, options?: CollectionOptions<T>) {
    this.#indexes.resolve(name, options as CollectionOptions<never>);
    return collectionFacade<T>(this.#outside, sqliteCollection<T>(this.#collections, name, this.#indexes));
  }

  /**
   * Group commit: transactions that arrive while one commit runs are queued and run next, one after
   * another, in one SQLite transaction, each inside its own SAVEPOINT (a failing one is rolled back alone);
   * one COMMIT (one WAL sync with synchronous=FULL) then makes them all durable, and each is answered only
   * after it. A lone transaction costs what it did before (BEGIN IMMEDIATE ... COMMIT).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    // serializeOn is checked (both stores accept the same input) and needs nothing more here: BEGIN
    // IMMEDIATE already runs whole transactions one at a time, across processes too.
    return this.#group.enqueue(fn, options);
  }

  async #commitGroup(group: Queued[]): Promise<void> {
    if (group.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown; events: PendingEvents } | { ok: false; error: unknown }> = [];
    // IMMEDIATE takes the write lock now, so a transaction never fails later upgrading a read lock.
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      for (const q of group) q.reject(e);
      return;
    }
    try {
      for (const q of group) {
        let active = true;
        const run = txRun(() => active);
        const events = new PendingEvents(this.events);
        const tx: StoreTransaction = {
          kind: 'sqlite',
          events: events.events,
          resources: resourceFacade(run, this.#ops),
          collection: <C>(name: string, options?: CollectionOptions<C>) => {
            this.#indexes.resolve(name, options as CollectionOptions<never>);
            return collectionFacade<C>(run, sqliteCollection<C>(this.#collections, name, this.#indexes));
          },
        };
        this.#db.exec('SAVEPOINT grp');
        try {
          const value = await q.fn(tx);
          active = false;
          this.#db.exec('RELEASE grp');
          outcomes.push({ ok: true, value, events });
        } catch (error) {
          active = false;
          this.#db.exec('ROLLBACK TO grp');
          this.#db.exec('RELEASE grp');
          outcomes.push({ ok: false, error });
        }
      }
      this.#db.exec('COMMIT');
    } catch (e) {
      // COMMIT (or a savepoint statement) failed: nothing of the group is written.
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      for (const q of group) q.reject(e);
      return;
    }
    for (const [i, q] of group.entries()) {
      const o = outcomes[i]!;
      if (o.ok) {
        await o.events.flush();
        q.resolve(o.value);
      } else q.reject(o.error);
    }
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
