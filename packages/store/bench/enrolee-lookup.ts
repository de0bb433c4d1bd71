// An EST-style enrolee lookup (the enrolee by Enrolee-ID, as EST over GBA makes on every request)
// through a secondary index, with 10 and with 100,000 enrolees in the store: the ratio of lookups
// per second should be about 1 (an index read does not grow with the collection; the full scan it
// replaced did). `pnpm --filter @m2msec/store bench:lookup`. PostgreSQL runs when it answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type CollectionStore, openMemoryStore, openPostgresStore, openSqliteStore } from '../src/index.js';
import { opsPerSec } from './measure.js';

type Enrolee = { principal: string; enroleeId: string; subjectAltNames: string[]; enrolmentExpirySeconds: number };
const indexes = { enroleeId: { key: (e: Enrolee) => e.enroleeId } };
const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = mkdtempSync(join(tmpdir(), 'm2msec-lookup-'));
const schemas: string[] = [];

async function lookupsPerSec(open: () => Promise<CollectionStore>, n: number): Promise<number> {
  const store = await open();
  const c = store.collection<Enrolee>('mef-enrolees', { indexes });
  for (let from = 0; from < n; from += 5000) {
    await store.transaction(async (tx) => {
      const t = tx.collection<Enrolee>('mef-enrolees');
      for (let i = from; i < Math.min(n, from + 5000); i++) {
        await t.put(`cert:node${i}.example`, {
          principal: `cert:node${i}.example`,
          enroleeId: `C-node${i}`,
          subjectAltNames: [`node${i}.example`],
          enrolmentExpirySeconds: 3600,
        });
      }
    });
  }
  const rate = await opsPerSec(async (i) => {
    const id = `C-node${(i * 7919) % n}`;
    const [hit] = await c.find('enroleeId', id, 1);
    if (hit?.value.enroleeId !== id) throw new Error(`lookup of ${id} failed`);
  }, 2000);
  await store.close();
  return rate;
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const backends: Array<[string, () => Promise<CollectionStore>]> = [
  ['memory', async () => openMemoryStore()],
  [
    'sqlite',
    () => openSqliteStore({ file: join(dir, `${schemas.length}-${Math.random()}.db`), synchronous: 'normal' }),
  ],
];
if (await pgReachable()) {
  backends.push([
    'postgres',
    () => {
      const schema = `m2msec_lookup_${process.pid}_${schemas.length}`;
      schemas.push(schema);
      return openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2 });
    },
  ]);
}

console.log('enrolee by Enrolee-ID (index find), lookups/s');
for (const [name, open] of backends) {
  const small = await lookupsPerSec(open, 10);
  const large = await lookupsPerSec(open, 100_000);
  console.log(
    `${name.padEnd(9)} 10 enrolees: ${small.toFixed(0).padStart(7)}   100k enrolees: ${large.toFixed(0).padStart(7)}   ratio 10/100k: ${(small / large).toFixed(2)}`,
  );
}
if (schemas.length > 0) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await c.end();
}
rmSync(dir, { recursive: true, force: true });
