import pg from 'pg';
import { collectionFacade, type Run, resourceFacade, txRun } from '../lib/facade.js';
import { Gate } from '../lib/gate.js';
import { GroupCommit, type Queued } from '../lib/group-commit.js';
import { IndexRegistry } from '../lib/indexes.js';
import type { CollectionOptions, Store, StoreEvents, StoreTransaction, TransactionOptions } from '../types.js';
import { pgCollection } from './collection.js';
import { PgEvents } from './events.js';
import { PgResourceOps } from './resources.js';
import { migratePostgres, quoteSchema } from './schema.js';
import { lockKeys, unlockKeys } from './serialize-on.js';
import { PgStatements } from './statements.js';

export interface PostgresStoreOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db. */
  connectionString: string;
  /** Schema holding the tables, created if absent. Default 'm2msec'. */
  schema?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** application_name of the connections (shows in pg_stat_activity). Default 'm2msec-store'. */
  applicationName?: string;
  /** How often a transaction is re-run after a serialization failure (SQLSTATE 40001/40P01). Default 10. */
  maxTransactionAttempts?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Opens the PostgreSQL store: a pg Pool for single statements (each autocommitted before it resolves) and
 * one dedicated client per transaction. Several processes may share the database: conflicts are decided by
 * its constraints, and transactions run SERIALIZABLE, re-run on serialization failures.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const {
    connectionString,
    schema = 'm2msec',
    maxConnections = 10,
    maxTransactionAttempts = 10,
    applicationName = 'm2msec-store',
  } = options;
  if (typeof connectionString !== 'string' || connectionString === '') {
    throw new TypeError('postgres store needs a connectionString');
  }
  const quoted = quoteSchema(schema);
  if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) throw new TypeError('maxConnections must be >= 1');
  if (!Number.isSafeInteger(maxTransactionAttempts) || maxTransactionAttempts < 1) {
    throw new TypeError('maxTransactionAttempts must be >= 1');
  }
  const pool = new pg.Pool({ connectionString, max: maxConnections, application_name: applicationName });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would end the process.
  // The pool drops that client, and the next query gets a fresh connection or reports its own error.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, schema);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end();
    throw e;
  }
  const events = new PgEvents(pool, connectionString, schema, applicationName);
  return new PostgresStore(pool, new PgStatements(quoted), maxTransactionAttempts, events);
}

class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly resources;
  readonly #pool: pg.Pool;
  readonly #statements: PgStatements;
  readonly #attempts: number;
  readonly #gate = new Gate();
  readonly #group = new GroupCommit(this.#gate, (group) => this.#commitGroup(group));
  readonly #outside: Run = (op) => this.#gate.outside(op);
  readonly #events: PgEvents;
  readonly events: StoreEvents;

  constructor(pool: pg.Pool, statements: PgStatements, attempts: number, events: PgEvents) {
    this.#pool = pool;
    this.#events = events;
    this.events = events;
    this.#statements = statements;
    this.#attempts = attempts;
    this.resources = resourceFacade(this.#outside, new PgResourceOps(pool, statements));
  }

  readonly #indexes = new IndexRegistry();

  collection<T = unknown>(name: string, options?: CollectionOptions<T>) {
    this.#indexes.resolve(name, options as CollectionOptions<never>);
    return collectionFacade<T>(this.#outside, pgCollection<T>(this.#pool, this.#statements, name, this.#indexes));
  }

  /**
   * Group commit: transactions queued while one runs are run next, one after another, in one SERIALIZABLE
   * transaction, each in its own SAVEPOINT (a failing one is rolled back alone); one COMMIT (one WAL flush,
   * two round trips fewer each) makes them all durable, and each is answered only after it. A
   * serialization failure anywhere re-runs the whole group, so `fn` must stay free of outside effects.
   * Re-runs alone do not settle hot rows shared with other processes (one process's back-to-back groups
   * can starve another's re-runs): `serializeOn` keys make those transactions queue (serialize-on.ts).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#group.enqueue(fn, options);
  }

  async #commitGroup(group: Queued[]): Promise<void> {
    if (group.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await this.#once(group);
        for (const [i, q] of group.entries()) {
          const o = outcomes[i]!;
          if (o.ok) q.resolve(o.value);
          else q.reject(o.error);
        }
        return;
      } catch (e) {
        if (!RETRYABLE.has((e as { code?: string }).code ?? '') || attempt >= this.#attempts) {
          for (const q of group) q.reject(e);
          return;
        }
        // Exponential with jitter: with a synchronous standby a commit takes long enough that replicas
        // re-running groups on the same rows at a fixed short delay kept colliding until the attempts ran out.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 5 * 2 ** attempt)));
      }
    }
  }

  async #once(group: Queued[]): Promise<Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // A checked-out client whose connection dies (server killed, failover) emits 'error': without a
    // listener that ends the process. The queries in flight reject; the client is discarded on release.
    const lost = (e: Error) => {
      broken = e;
    };
    client.on('error', lost);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    // serializeOn: the group waits for the keys of all its transactions before BEGIN, so transactions on
    // one key (across processes) follow each other instead of aborting each other (serialize-on.ts).
    const keys = group.flatMap((q) => q.keys);
    try {
      await lockKeys(client, this.#statements, keys);
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      for (const q of group) {
        let active = true;
        const run = txRun(() => active);
        const tx: StoreTransaction = {
          kind: 'postgres',
          resources: resourceFacade(run, new PgResourceOps(client, this.#statements)),
          collection: <C>(name: string, options?: CollectionOptions<C>) => {
            this.#indexes.resolve(name, options as CollectionOptions<never>);
            return collectionFacade<C>(run, pgCollection<C>(client, this.#statements, name, this.#indexes));
          },
          // NOTIFY on the transaction's own connection: PostgreSQL delivers it at COMMIT, drops it on ROLLBACK
          // (also of the savepoint).
          events: {
            publish: (channel, payload) => run(() => this.#events.publishVia(client, channel, payload)),
            subscribe: (channel, listener) => this.#events.subscribe(channel, listener),
          },
        };
        await client.query('SAVEPOINT grp');
        try {
          const value = await q.fn(tx);
          active = false;
          await client.query('RELEASE SAVEPOINT grp');
          outcomes.push({ ok: true, value });
        } catch (error) {
          active = false;
          // A serialization failure dooms the whole group: it is re-run from the start.
          if (RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
          // Queries fn issued before it failed are queued on this client ahead of the rollback.
          await client.query('ROLLBACK TO SAVEPOINT grp');
          await client.query('RELEASE SAVEPOINT grp');
          outcomes.push({ ok: false, error });
        }
      }
      await client.query('COMMIT');
      return outcomes;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw e;
    } finally {
      if (keys.length > 0 && broken === undefined) {
        await unlockKeys(client, this.#statements).catch((unlockError: Error) => {
          broken = unlockError;
        });
      }
      client.off('error', lost);
      // A client that lost its connection, could not roll back or could not unlock is discarded, never
      // reused (its session's locks end with it).
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (await this.#gate.close()) {
      await this.#events.close();
      await this.#pool.end();
    }
  }
}
