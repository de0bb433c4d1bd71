// Runs a suite on every store (DESIGN.md section 5): the in-memory store, SQLite in memory and PostgreSQL
// (M2MSEC_PG_URL), each CSE on a fresh PostgreSQL schema that is dropped when the suite ends.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openMemoryStore, openPostgresStore, openSqliteStore, type Store } from '@m2msec/store';
import { afterAll } from 'vitest';
import type { CseOptions } from '../src/index.js';
import { openTestCse } from './setup.js';

export const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const storeKinds = ['memory', 'sqlite', 'postgres'] as const;
export type StoreKind = (typeof storeKinds)[number];

const schemas: string[] = [];
const opened: Array<{ close(): Promise<void> }> = [];
let n = 0;

afterAll(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  for (const schema of schemas.splice(0)) {
    execFileSync('psql', [PG_URL, '-qc', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { stdio: 'ignore' });
  }
});

async function openStore(kind: StoreKind): Promise<Store> {
  if (kind === 'memory') return openMemoryStore();
  if (kind === 'sqlite') return openSqliteStore({ file: ':memory:' });
  const schema = `h_types_${process.pid}_${++n}`;
  schemas.push(schema);
  return openPostgresStore({ connectionString: PG_URL, schema });
}

/** openTestCse on the given store kind; closed with the suite. */
export async function openCseOn(kind: StoreKind, extra: Partial<CseOptions> = {}) {
  const store = await openStore(kind);
  // The tests' notification receivers listen on loopback, which the target policy refuses by default.
  const config = { expirySweepMs: 0, notifications: { allowTargets: ['127.0.0.1'] }, ...extra.config };
  const t = await openTestCse({ ...extra, config, store });
  opened.push({
    close: async () => {
      await t.cse.stop();
      await store.close();
    },
  });
  return { ...t, store };
}

/** An HTTP notification receiver on loopback answering with `answer()`; records what it got. */
export async function notificationReceiver(answer: () => number = () => 2000) {
  const received: Array<{ from: string | undefined; body: any }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ from: req.headers['x-m2m-origin'] as string | undefined, body: JSON.parse(body) });
      res.writeHead(200, { 'X-M2M-RSC': String(answer()), 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  opened.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  /** Notifications other than verification requests. */
  const events = () => received.filter((x) => !x.body['m2m:sgn']?.vrq);
  return { url, received, events };
}

export async function until(pred: () => boolean, ms = 3000): Promise<void> {
  for (let t = 0; t < ms && !pred(); t += 20) await new Promise((r) => setTimeout(r, 20));
}
