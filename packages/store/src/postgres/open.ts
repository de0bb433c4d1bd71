import pg from 'pg';
import { collectionFacade, type Run, resourceFacade, txRun } from '../lib/facade.js';
import { Gate } from '../lib/gate.js';
import type { Store, StoreEvents, StoreTransaction } from '../types.js';
import { pgCollection } from './collection.js';
import { PgEvents } from './events.js';
import { PgResourceOps } from './resources.js';
import { migratePostgres, quoteSchema } from './schema.js';
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

  collection<T = unknown>(name: string) {
    return collectionFacade<T>(this.#outside, pgCollection<T>(this.#pool, this.#statements, name));
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#gate.transaction(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#once(fn);
        } catch (e) {
          if (!RETRYABLE.has((e as { code?: string }).code ?? '') || attempt >= this.#attempts) throw e;
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        }
      }
    });
  }

  async #once<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let active = true;
    const run = txRun(() => active);
    const tx: StoreTransaction = {
      kind: 'postgres',
      resources: resourceFacade(run, new PgResourceOps(client, this.#statements)),
      collection: <C>(name: string) => collectionFacade<C>(run, pgCollection<C>(client, this.#statements, name)),
      // NOTIFY on the transaction's own connection: PostgreSQL delivers it at COMMIT, drops it on ROLLBACK.
      events: {
        publish: (channel, payload) => run(() => this.#events.publishVia(client, channel, payload)),
        subscribe: (channel, listener) => this.#events.subscribe(channel, listener),
      },
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const result = await fn(tx);
      active = false;
      await client.query('COMMIT');
      return result;
    } catch (e) {
      active = false;
      // Queries fn issued before it failed are queued on this client ahead of the ROLLBACK.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw e;
    } finally {
      client.release(broken); // a client that could not roll back is discarded, never reused
    }
  }

  async close(): Promise<void> {
    if (await this.#gate.close()) {
      await this.#events.close();
      await this.#pool.end();
    }
  }
}
