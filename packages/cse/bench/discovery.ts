// Discovery and rcn=4 under one <AE> with 10k descendants, inside a larger tree, against the same requests
// under an <AE> with 8 descendants in the same CSE and run (the baseline): the cost must follow the answer
// (lim=10), not the subtree or the CSE (issue 21; TS-0004 7.3.3.14, 7.3.3.17.10). Cases alternate in
// rounds so machine noise hits all alike. Latency percentiles per request through Cse.handle (no HTTP).
// Usage: pnpm --filter @m2msec/cse bench
//   BENCH_BIG (descendants under the big AE, default 10000), BENCH_OTHER (contentInstances elsewhere,
//   default 40000), BENCH_ROUNDS (default 5), BENCH_PER_ROUND (requests per case and round, default 60),
//   BENCH_STORES (sqlite,postgres; PostgreSQL runs when M2MSEC_PG_URL or the local default answers).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestPrimitive } from '@m2msec/protocol';
import { openPostgresStore, openSqliteStore, type Store, type StoredResource } from '@m2msec/store';
import { Cse } from '../src/index.js';

const BIG = Number(process.env.BENCH_BIG ?? 10_000);
const OTHER = Number(process.env.BENCH_OTHER ?? 40_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 60);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const http = { binding: 'http' as const, peerAddress: '127.0.0.1' };
let rqi = 0;

async function populate(cse: Cse, store: Store): Promise<void> {
  const send = (req: Partial<RequestPrimitive> & { op: number; to: string }) =>
    cse.handle({ rqi: `b${++rqi}`, rvi: '3', ...req }, http);
  const ae = async (rn: string) => {
    const r = await send({
      op: 1,
      to: 'cse-in',
      fr: rn,
      ty: 2,
      pc: { 'm2m:ae': { rn, api: 'Nbench', rr: false, srv: ['3'] } },
    });
    if (r.rsc !== 2001) throw new Error(`AE ${rn}: ${r.rsc} ${r.dbg}`);
  };
  const container = async (aeRn: string, rn: string) => {
    const r = await send({ op: 1, to: `cse-in/${aeRn}`, fr: aeRn, ty: 3, pc: { 'm2m:cnt': { rn } } });
    if (r.rsc !== 2001) throw new Error(`cnt ${rn}: ${r.rsc} ${r.dbg}`);
    return (await store.resources.getBySrn(`cse-in/${aeRn}/${rn}`))!;
  };
  // Instances go straight into the store (as many CREATEs would leave them), in batches.
  const instances = async (cnt: StoredResource, n: number, tag: string) => {
    for (let i = 0; i < n; i += 1000) {
      await store.transaction(async (tx) => {
        for (let k = i; k < Math.min(n, i + 1000); k++) {
          const ct = `20260101T${String(Math.floor(k / 3600) % 24).padStart(2, '0')}${String(Math.floor(k / 60) % 60).padStart(2, '0')}${String(k % 60).padStart(2, '0')},${String(k).padStart(6, '0')}`;
          const rn = `${tag}${String(k).padStart(6, '0')}`;
          await tx.resources.create({
            ri: `cin${tag}${k}`,
            pi: cnt.ri,
            rn,
            ty: 4,
            srn: `${cnt.srn}/${rn}`,
            ct,
            lt: ct,
            st: 0,
            cnf: 'text/plain:0',
            cs: 5,
            con: 'hello',
            __cr: cnt.__cr,
          });
        }
      });
    }
  };
  await ae('Cbig');
  await ae('Csmall');
  for (let a = 0; a < 4; a++) await ae(`Cother${a}`);
  // Cbig: 10k descendants in 10 containers; Csmall: 8 instances; others: the rest of the CSE.
  const per = Math.floor(BIG / 10);
  for (let c = 0; c < 10; c++) await instances(await container('Cbig', `cnt${c}`), per - 1, `b${c}_`);
  await instances(await container('Csmall', 'cnt'), 8, 's');
  for (let a = 0; a < 4; a++) await instances(await container(`Cother${a}`, 'cnt'), OTHER / 4, `o${a}_`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function bench(kind: string, store: Store): Promise<void> {
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { expirySweepMs: 0 },
  });
  const t0 = performance.now();
  await populate(cse, store);
  console.log(
    `${kind}: populated ${BIG} + 8 + ${OTHER} resources in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const query = (ae: string, extra: Partial<RequestPrimitive>) => () =>
    cse.handle({ op: 2, to: `cse-in/${ae}`, fr: ae, rqi: `q${++rqi}`, rvi: '3', ...extra }, http);
  const cases: Array<[string, string, () => Promise<{ rsc: number }>]> = [];
  const queries: Array<[string, Partial<RequestPrimitive>]> = [
    ['discovery fu=1&ty=4&lim=10', { fc: { fu: 1, ty: [4], lim: 10 } }],
    ['rcn=4&ty=4&lim=10', { rcn: 4, fc: { ty: [4], lim: 10 } }],
    ['discovery fu=1&lbl=none&lim=10 (no match)', { fc: { fu: 1, lbl: ['none'], lim: 10 } }],
  ];
  for (const [label, extra] of queries) {
    cases.push([`${label} under Csmall (baseline)`, label, query('Csmall', extra)]);
    cases.push([`${label} under Cbig (10k)`, label, query('Cbig', extra)]);
  }
  // CSE-wide (To = the CSEBase) with lim=10: the administrator finds 10 at once; an AE that may discover
  // almost nothing walks until the budget (CseConfig.filterBudget) stops it with PARTIAL_CONTENT.
  const cseWide = (fr: string) => () =>
    cse.handle({ op: 2, to: 'cse-in', fr, rqi: `q${++rqi}`, rvi: '3', fc: { fu: 1, ty: [4], lim: 10 } }, http);
  const single: Array<[string, string, () => Promise<{ rsc: number }>]> = [
    ['CSE-wide fu=1&ty=4&lim=10 as CAdmin', '', cseWide('CAdmin')],
    ['CSE-wide fu=1&ty=4&lim=10 as Csmall (budget-bound)', '', cseWide('Csmall')],
  ];
  // With --expose-gc (the bench script passes it) RSS is compared after full collections, so heap sizing
  // under load is not taken for growth.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  cases.push(...single);
  const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  for (const [name, , run] of cases) for (let i = 0; i < (name.includes('budget-bound') ? 1 : 10); i++) await run(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, , run] of cases) {
      const list = samples.get(name)!;
      // The budget-bound case takes up to the time budget per request: a few samples per round suffice.
      const n = name.includes('budget-bound') ? Math.max(2, Math.ceil(PER_ROUND / 20)) : PER_ROUND;
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        const r = await run();
        list.push(performance.now() - start);
        if (r.rsc !== 2000) throw new Error(`${name}: ${r.rsc}`);
      }
    }
  }
  const stats = new Map<string, { p50: number; p90: number; p99: number }>();
  for (const [name, list] of samples) {
    const s = [...list].sort((a, b) => a - b);
    stats.set(name, { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99) });
  }
  console.log(`${kind}: latency in ms (${ROUNDS} rounds x ${PER_ROUND} requests per case)`);
  for (const [name, st] of stats)
    console.log(
      `  ${name.padEnd(66)} p50 ${st.p50.toFixed(3).padStart(8)}  p90 ${st.p90.toFixed(3).padStart(8)}  p99 ${st.p99.toFixed(3).padStart(8)}`,
    );
  gc?.();
  const heap = gc ? ' (after a full GC)' : '';
  const mem = process.memoryUsage();
  console.log(
    `  growth over the measurements${heap}: RSS ${((mem.rss - rss0) / 2 ** 20).toFixed(1)} MB, heap used ${((mem.heapUsed - heap0) / 2 ** 20).toFixed(1)} MB`,
  );
  for (let i = 0; i < cases.length - single.length; i += 2) {
    const base = stats.get(cases[i]![0])!;
    const big = stats.get(cases[i + 1]![0])!;
    console.log(
      `  ratio Cbig/Csmall ${cases[i]![1].padEnd(48)} p50 ${(big.p50 / base.p50).toFixed(2)}  p99 ${(big.p99 / base.p99).toFixed(2)}`,
    );
  }
  await cse.stop();
}

async function main(): Promise<void> {
  console.log(`RSS at start ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  if (STORES.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-cse-bench-'));
    const store = await openSqliteStore({ file: join(dir, 'bench.db') });
    try {
      await bench('sqlite', store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (STORES.includes('postgres')) {
    const schema = `m2msec_cse_bench_${process.pid}`;
    let store: Store | undefined;
    try {
      store = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
    } catch (e) {
      console.log(`postgres: skipped (${(e as Error).message})`);
    }
    if (store) {
      try {
        await bench('postgres', store);
      } finally {
        await store.close();
        // pg is the store's dependency, not this package's.
        const pg = createRequire(import.meta.resolve('@m2msec/store'))('pg') as typeof import('pg');
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
    }
  }
  console.log(`RSS at end ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
}

await main();
