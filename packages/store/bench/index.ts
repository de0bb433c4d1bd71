// Store throughput against raw driver calls measured in the same run: `pnpm --filter @m2msec/store bench`.
// PostgreSQL cases run when M2MSEC_PG_URL (or postgres://postgres@127.0.0.1:5432/postgres) answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore, openSqliteStore, type Store, type StoredResource } from '../src/index.js';
import { opsPerSec, opsPerSecParallel, opsPerSecSync, report } from './measure.js';

const N = 10_000; // resources in the store while reading
const ts = '20240101T000000';
const resource = (i: number, prefix: string): StoredResource => ({
  ri: `${prefix}${i}`,
  pi: 'C',
  rn: `${prefix}${i}`,
  srn: `cse-in/${prefix}${i}`,
  ty: 4,
  ct: ts,
  lt: ts,
  et: '20991231T000000',
  lbl: ['bench'],
  cnf: 'text/plain:0',
  cs: 11,
  con: 'hello world',
  st: i,
});
const root: StoredResource = { ri: 'C', pi: '', rn: 'cse-in', srn: 'cse-in', ty: 5, ct: ts, lt: ts };

async function populate(store: Store): Promise<void> {
  await store.resources.create(root);
  for (let i = 0; i < N; i += 500) {
    await store.transaction(async (tx) => {
      for (let k = i; k < i + 500; k++) await tx.resources.create(resource(k, 'r'));
    });
  }
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-store-bench-'));
  try {
    console.log(`SQLite (better-sqlite3, WAL), ${N} resources`);
    for (const synchronous of ['normal', 'full'] as const) {
      const s = await openSqliteStore({ file: join(dir, `create-${synchronous}.db`), synchronous });
      await s.resources.create(root);
      const raw = new Database(join(dir, `raw-${synchronous}.db`));
      raw.pragma('journal_mode = WAL');
      raw.pragma(`synchronous = ${synchronous}`);
      raw.exec('CREATE TABLE t (ri TEXT PRIMARY KEY, srn TEXT UNIQUE, doc TEXT)');
      const ins = raw.prepare('INSERT INTO t VALUES (?, ?, ?)');
      const base = opsPerSecSync((i) => {
        const r = resource(i, 'b');
        ins.run(r.ri, r.srn, JSON.stringify(r));
      });
      report(`  baseline raw INSERT, autocommit (sync=${synchronous})`, base);
      report(
        `  create (sync=${synchronous})`,
        await opsPerSec((i) => s.resources.create(resource(i, 'c'))),
        base,
        'raw',
      );
      // What a CSE CREATE does: a transaction (resource + parent accounting). One at a time each pays its
      // commit; 32 in flight share commits (group commit, src/sqlite/open.ts), each answered after its own.
      let t = 0;
      const txCreate = (i: number) =>
        s.transaction(async (tx) => {
          await tx.resources.create(resource(i, `t${t}_`));
          await tx.collection('acct').put('C', { cni: i });
        });
      t++;
      report(`  transaction create (sync=${synchronous}), one at a time`, await opsPerSec(txCreate), base, 'raw');
      t++;
      report(
        `  transaction create (sync=${synchronous}), 32 in flight`,
        await opsPerSecParallel(txCreate, 32),
        base,
        'raw',
      );
      raw.close();
      await s.close();
    }

    const file = join(dir, 'read.db');
    const s = await openSqliteStore({ file, synchronous: 'normal' });
    await populate(s);
    const raw = new Database(file, { readonly: true });
    const rawGet = raw.prepare('SELECT doc FROM resources WHERE srn = ?').pluck();
    const base = opsPerSecSync((i) => rawGet.get(`cse-in/r${i % N}`));
    report('  baseline raw prepared get by srn (string only)', base);
    const baseParsed = opsPerSecSync((i) => JSON.parse(rawGet.get(`cse-in/r${i % N}`) as string));
    report('  baseline raw get by srn + JSON.parse', baseParsed, base, 'raw');
    report(
      '  getBySrn (awaited one by one)',
      await opsPerSec((i) => s.resources.getBySrn(`cse-in/r${i % N}`)),
      base,
      'raw',
    );
    report('  get by ri (awaited one by one)', await opsPerSec((i) => s.resources.get(`r${i % N}`)), base, 'raw');
    report(
      '  getBySrn (64 in flight)',
      await opsPerSecParallel((i) => s.resources.getBySrn(`cse-in/r${i % N}`), 64),
      base,
      'raw',
    );
    report(
      '  children(C, ty 4, desc, lim 1) (latest)',
      await opsPerSec(() => s.resources.children('C', { ty: [4], order: 'desc', lim: 1 })),
      base,
      'raw',
    );
    raw.close();
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  const url = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    console.log('PostgreSQL: no server reachable (set M2MSEC_PG_URL); skipped');
    return;
  }
  const schema = `m2msec_bench_${process.pid}`;
  try {
    console.log(
      `PostgreSQL (pg Pool, ${(await admin.query('SHOW server_version')).rows[0].server_version}), ${N} resources`,
    );
    const s = await openPostgresStore({ connectionString: url, schema });
    await populate(s);
    const t = `"${schema}".resources`;
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const rawGet = (srn: string) =>
      pool.query({ name: 'raw', text: `SELECT doc FROM ${t} WHERE srn = $1`, values: [srn] });
    await opsPerSec((i) => rawGet(`cse-in/r${i % N}`), 500); // warm the pool and the table's pages
    const base = await opsPerSec((i) => rawGet(`cse-in/r${i % N}`));
    report('  baseline raw named-statement get by srn', base);
    report(
      '  getBySrn (awaited one by one)',
      await opsPerSec((i) => s.resources.getBySrn(`cse-in/r${i % N}`)),
      base,
      'raw',
    );
    report('  get by ri (awaited one by one)', await opsPerSec((i) => s.resources.get(`r${i % N}`)), base, 'raw');
    report(
      '  children(C, ty 4, desc, lim 1) (latest)',
      await opsPerSec(() => s.resources.children('C', { ty: [4], order: 'desc', lim: 1 })),
      base,
      'raw',
    );
    const baseParallel = await opsPerSecParallel((i) => rawGet(`cse-in/r${i % N}`), 10);
    report('  baseline raw get by srn (10 in flight)', baseParallel);
    report(
      '  getBySrn (10 in flight)',
      await opsPerSecParallel((i) => s.resources.getBySrn(`cse-in/r${i % N}`), 10),
      baseParallel,
      'raw 10',
    );
    const rawIns = (r: StoredResource) =>
      pool.query({
        name: 'rawins',
        text: `INSERT INTO "${schema}".collections (name, key, value) VALUES ('raw', $1, $2::jsonb)`,
        values: [r.ri, JSON.stringify(r)],
      });
    const baseCreate = await opsPerSec((i) => rawIns(resource(i, 'x')));
    report('  baseline raw INSERT, autocommit', baseCreate);
    report(
      '  create (awaited one by one)',
      await opsPerSec((i) => s.resources.create(resource(i, 'c'))),
      baseCreate,
      'raw',
    );
    await pool.end();
    await s.close();
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

await sqlite();
await postgres();
