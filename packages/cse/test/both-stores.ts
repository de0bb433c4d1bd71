// Opens a test CSE on any store (the in-memory store, SQLite in memory, or PostgreSQL in a schema of its own,
// dropped by dropTestSchemas): the tests of a procedure run on each, as the store contract suite does.
import { createRequire } from 'node:module';
import type { RequestPrimitive } from '@m2msec/protocol';
import { openMemoryStore, openPostgresStore, openSqliteStore, type Store } from '@m2msec/store';
import { Cse, type CseOptions } from '../src/index.js';
import { http } from './setup.js';

export const STORES = ['memory', 'sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

export const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = `m2msec_cse_disc_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
let n = 0;

/** A fresh store; on PostgreSQL, `shared` opens another handle on that existing schema (a second instance). */
export async function openStoreOf(kind: StoreKind, shared?: string): Promise<Store & { schema?: string }> {
  if (kind === 'memory') return openMemoryStore();
  if (kind === 'sqlite') return openSqliteStore({ file: ':memory:' });
  let schema = shared;
  if (schema === undefined) {
    schema = `${run}_${schemas.length}`;
    schemas.push(schema);
  }
  const store = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
  return Object.assign(store, { schema });
}

/** Drops the PostgreSQL schemas this file created (pg is the store's own dependency). */
export async function dropTestSchemas(): Promise<void> {
  if (schemas.length === 0) return;
  const require = createRequire(import.meta.resolve('@m2msec/store'));
  const pg = require('pg') as typeof import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
}

export async function openCseOn(kind: StoreKind, extra: Partial<CseOptions> = {}, sharedSchema?: string) {
  const store = await openStoreOf(kind, sharedSchema);
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    ...extra,
    // The tests' notification receivers listen on loopback, which the target policy refuses by default.
    config: { expirySweepMs: 0, notifications: { allowTargets: ['127.0.0.1'] }, ...extra.config },
  });
  const send = (req: Partial<RequestPrimitive> & { op: number; to: string }) =>
    cse.handle({ rqi: `d${++n}`, rvi: '3', ...req }, http);
  const registerAe = async (from: string) => {
    const r = await send({
      op: 1,
      to: 'cse-in',
      fr: from,
      ty: 2,
      pc: { 'm2m:ae': { rn: from, api: 'Ntest', rr: true, srv: ['3'], poa: [] } },
    });
    if (r.rsc !== 2001) throw new Error(`register ${from}: ${r.rsc} ${r.dbg}`);
    return r;
  };
  /** Creates a resource and returns its representation; throws with the status on failure. */
  const make = async (to: string, fr: string, ty: number, root: string, attrs: Record<string, unknown>) => {
    const r = await send({ op: 1, to, fr, ty, pc: { [root]: attrs } });
    if (r.rsc !== 2001) throw new Error(`create ${root} under ${to}: ${r.rsc} ${r.dbg}`);
    return (r.pc as Record<string, Record<string, unknown>>)[root]!;
  };
  const close = async () => {
    await cse.stop();
    await store.close();
  };
  return { cse, store, send, registerAe, make, close };
}
