// TransactionOptions.serializeOn on PostgreSQL: session advisory locks taken BEFORE the group's BEGIN.
//
// Why not a row lock (SELECT ... FOR UPDATE) inside the transaction: the store runs SERIALIZABLE, whose
// snapshot is taken at the transaction's first statement. A transaction that waits there for another's
// row lock keeps its older snapshot, and once the other commits PostgreSQL aborts it with "could not
// serialize access due to concurrent update" (SQLSTATE 40001): the wait does not queue, it only delays
// the abort. pg_advisory_xact_lock inside the transaction has the same flaw (its SELECT takes the
// snapshot before it blocks). A session lock taken outside any transaction does queue: the transaction
// begins only once the previous holder has committed, so its snapshot already contains that commit.
import type pg from 'pg';
import type { PgStatements } from './statements.js';

/**
 * Locks every key for this connection, in one statement, in hash order (two groups wanting overlapping
 * sets take them in the same order, so they cannot deadlock on each other; were they to, PostgreSQL
 * would report 40P01 and the group is re-run). Keys are scoped by schema: stores on other schemas of the
 * database do not wait for each other. A hash collision only makes two keys wait for each other.
 */
export async function lockKeys(client: pg.PoolClient, s: PgStatements, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await s.query(
    client,
    `SELECT pg_advisory_lock(hashtext($1), h)
     FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) k ORDER BY h) ordered`,
    [`m2msec-serialize-on:${s.schema}`, keys],
  );
}

/** Releases every session advisory lock of the connection (the store takes no others on it). */
export async function unlockKeys(client: pg.PoolClient, s: PgStatements): Promise<void> {
  await s.query(client, 'SELECT pg_advisory_unlock_all()', []);
}
