// The cost of the shared replay check (issue 18): DerivedKey acceptances per second decided in a
// PostgreSQL row shared by replicas (one SERIALIZABLE transaction + NOTIFY each) against the
// per-process window (write-ahead journal with group commit over SQLite snapshots), in alternating
// slices of one run. An operation is the handshake-completion step plus the wait a session's first
// request makes (accept + durable), 16 sessions in flight.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore } from '@m2msec/store';
import { interleaved, printRows } from '@m2msec/test-support';
import pg from 'pg';
import { DerivedKeyResourceServer, formatDerivedKeyIdentity } from '../src/index.js';

const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const IN_FLIGHT = 16;

export async function benchSharedWindow(budgetMs = 4000): Promise<void> {
  const key = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-dk-shared-'));
  const schema = `m2msec_bench_dk_${process.pid}`;
  const local = await openSqliteStore({ file: join(dir, 'dk.db') });
  const shared = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
  const perProcess = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key }],
    state: local.collection('dk'),
    journalPath: join(dir, 'dk.journal'),
  });
  const replica = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key }],
    shared: { store: shared, collection: 'dk' },
  });
  const random = randomBytes(8).toString('hex');
  const counters = { a: 0n, b: 0n };
  const batch = (rs: DerivedKeyResourceServer, c: 'a' | 'b') =>
    Promise.all(
      Array.from({ length: IN_FLIGHT }, () => {
        const identity = formatDerivedKeyIdentity({
          taId: 'ta1',
          clientId: 'Cbench',
          sequenceNumber: ++counters[c],
          random,
        });
        const a = rs.accept(identity);
        if (!a.ok) throw new Error(a.message);
        return rs.durable(identity);
      }),
    );
  try {
    const r = await interleaved(
      () => batch(replica, 'a'),
      () => batch(perProcess, 'b'),
      budgetMs,
    );
    printRows([
      {
        name: 'DerivedKey accept, shared window (PostgreSQL)',
        opsPerSec: r.ops * IN_FLIGHT,
        baseline: 'per-process window (journal)',
        baselineOpsPerSec: r.baselineOps * IN_FLIGHT,
      },
    ]);
  } finally {
    await replica.close();
    await perProcess.close();
    await shared.close();
    await local.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
