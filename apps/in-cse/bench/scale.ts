// Scale scenario of issue 21: the embedded store filled directly through the store API with many <AE>s and
// contentInstances, then the IN-CSE started on it; measured against the same requests on an empty CSE in the
// same run: start-up time, resident set size, p50 / p99 of GET `la` under one AE, of a bounded discovery
// under that AE (fu=1&ty=4&lim=10) and of a CSE-wide one with lim=10, and the RSS growth over each series.
// Usage: pnpm --filter @m2msec/in-cse bench:scale
//   SCALE_AES (default 10000), SCALE_INSTANCES (default 100000), SCALE_REQUESTS (per case, default 200),
//   SCALE_SERIES_MAX_S (a case stops after this long, default 60).
//   Full size of the issue: SCALE_AES=100000 SCALE_INSTANCES=1000000.

import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore, type Store, type StoredResource } from '@m2msec/store';
import { freePort, type InCseProcess, m2m, startInCse } from '../test/harness.js';

const AES = Number(process.env.SCALE_AES ?? 10_000);
const INSTANCES = Number(process.env.SCALE_INSTANCES ?? 100_000);
const REQUESTS = Number(process.env.SCALE_REQUESTS ?? 200);
// A case stops early (and says how many requests it made) once it has run this long.
const SERIES_MAX_MS = Number(process.env.SCALE_SERIES_MAX_S ?? 60) * 1000;
const BATCH = 2_000;

/** Resident set size of a process in MB (Linux /proc). */
function rssMb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** One registered AE with a container and one instance, made over HTTP: the shapes the fill copies. */
async function template(cse: InCseProcess, aei: string): Promise<void> {
  const ae = await m2m(cse.url, 'POST', '/cse-in', {
    from: aei,
    ty: 2,
    body: { 'm2m:ae': { rn: aei, api: 'Nscale', rr: false, srv: ['3'] } },
  });
  if (ae.rsc !== 2001) throw new Error(`template AE: ${ae.rsc}`);
  const cnt = await m2m(cse.url, 'POST', `/cse-in/${aei}`, { from: aei, ty: 3, body: { 'm2m:cnt': { rn: 'data' } } });
  if (cnt.rsc !== 2001) throw new Error(`template container: ${cnt.rsc}`);
  for (let i = 0; i < 8; i++) {
    const cin = await m2m(cse.url, 'POST', `/cse-in/${aei}/data`, {
      from: aei,
      ty: 4,
      body: { 'm2m:cin': { con: `${20 + i}.5`, cnf: 'text/plain:0' } },
    });
    if (cin.rsc !== 2001) throw new Error(`template instance: ${cin.rsc}`);
  }
}

/** A timestamp after the template's, unique per n (so instances order by creation). */
function stamp(n: number): string {
  const s = n % 86_400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `20250101T${hh}${mm}${ss},${String(n).padStart(7, '0')}`;
}

/**
 * Copies the template <AE> (with its container) AES times and spreads INSTANCES contentInstances over the
 * copies' containers, straight into the store in transactions, as many registrations and CREATEs would.
 */
async function fill(store: Store, aei: string): Promise<void> {
  const ae = (await store.resources.getBySrn(`cse-in/${aei}`))!;
  const cnt = (await store.resources.getBySrn(`cse-in/${aei}/data`))!;
  const [cin] = await store.resources.children(cnt.ri, { ty: [4], lim: 1 });
  const perAe = Math.floor(INSTANCES / AES);
  const extra = INSTANCES - perAe * AES;
  let n = 0;
  const step = Math.max(1, Math.floor(BATCH / (perAe + 2)));
  for (let a = 0; a < AES; a += step) {
    const upto = Math.min(AES, a + step);
    await store.transaction(async (tx) => {
      for (let k = a; k < upto; k++) {
        const id = `Cfill${k}`;
        const aeCopy: StoredResource = { ...ae, ri: id, rn: id, srn: `cse-in/${id}`, aei: id, __cr: id };
        await tx.resources.create(aeCopy);
        const cntRi = `cnt${id}`;
        const count = perAe + (k < extra ? 1 : 0);
        await tx.resources.create({
          ...cnt,
          ri: cntRi,
          pi: id,
          srn: `cse-in/${id}/data`,
          __cr: id,
          cni: count,
          cbs: count * (cin!.cs as number),
        });
        for (let i = 0; i < count; i++) {
          const ct = stamp(++n);
          const rn = `cin_${i}`;
          await tx.resources.create({
            ...cin!,
            ri: `cin${id}_${i}`,
            pi: cntRi,
            rn,
            srn: `cse-in/${id}/data/${rn}`,
            ct,
            lt: ct,
            st: i,
            __cr: id,
          });
        }
      }
    });
  }
}

interface Series {
  requests: number;
  /** Answers marked partial content (X-M2M-CTS, TS-0009 6.4.20): the filter budget stopped the walk. */
  partial: number;
  p50: number;
  p99: number;
  rssGrowthMb: number;
}

/** REQUESTS sequential GETs of `path` as `from`, after a short warm-up; latency percentiles in ms. */
async function series(
  cse: { url: string; pid: number },
  path: string,
  from: string,
  expect: (body: any) => void,
): Promise<Series> {
  for (let i = 0; i < 10; i++) await m2m(cse.url, 'GET', path, { from });
  const before = rssMb(cse.pid);
  const ms: number[] = [];
  const stop = Date.now() + SERIES_MAX_MS;
  let partial = 0;
  for (let i = 0; i < REQUESTS && Date.now() < stop; i++) {
    const t = process.hrtime.bigint();
    const r = await m2m(cse.url, 'GET', path, { from });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.rsc !== 2000) throw new Error(`GET ${path}: ${r.rsc} ${JSON.stringify(r.body)}`);
    expect(r.body);
    if (r.headers.get('X-M2M-CTS') !== null) partial++;
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  return { requests: ms.length, partial, p50: at(0.5), p99: at(0.99), rssGrowthMb: rssMb(cse.pid) - before };
}

/** A discovery answer: exactly `n` references, or (CSE-wide, where the budget may stop the walk) at most `n`. */
const references = (n: number, exact: boolean) => (body: any) => {
  const uril = body?.['m2m:uril'] ?? [];
  if (!Array.isArray(uril) || (exact ? uril.length !== n : uril.length > n))
    throw new Error(`expected ${exact ? '' : 'at most '}${n} references, got ${JSON.stringify(body)}`);
};
const instance = (body: any) => {
  if (!body?.['m2m:cin']) throw new Error(`expected a contentInstance, got ${JSON.stringify(body)}`);
};

interface Measured {
  label: string;
  startMs: number;
  rssMb: number;
  la: Series;
  underAe: Series;
  cseWide: Series;
}

async function measure(label: string, dataDir: string | undefined, aei: string): Promise<Measured> {
  const t = Date.now();
  const cse = await startInCse({
    store: 'sqlite',
    env: { M2MSEC_LOG_LEVEL: 'error' },
    ...(dataDir ? { dataDir } : {}),
  });
  const startMs = Date.now() - t;
  try {
    if (!dataDir) await template(cse, aei);
    const rss = rssMb(cse.pid);
    const la = await series(cse, `/cse-in/${aei}/data/la`, aei, instance);
    const underAe = await series(cse, `/cse-in/${aei}?fu=1&ty=4&lim=10`, aei, references(8, true));
    const cseWide = await series(cse, '/cse-in?fu=1&ty=4&lim=10', aei, references(10, false));
    return { label, startMs, rssMb: rss, la, underAe, cseWide };
  } finally {
    await cse.stop();
    if (!dataDir) rmSync(cse.dataDir, { recursive: true, force: true });
  }
}

/**
 * The same sequential GETs against a bare node:http process answering a contentInstance: the latency floor
 * of this machine at this moment (a shared machine's scheduling noise shows here as in every other row).
 */
async function floor(): Promise<Series> {
  const port = await freePort();
  const body = { 'm2m:cin': { rn: 'cin_7', ty: 4, con: '27.5', cnf: 'text/plain:0' } };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'bare-node-http.ts'), JSON.stringify(body)],
    { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  try {
    return await series({ url: `http://127.0.0.1:${port}`, pid: child.pid! }, '/cse-in/x/data/la', 'Cscale', instance);
  } finally {
    child.kill();
  }
}

async function main() {
  const bare = await floor();
  // The empty CSE: one AE with a container of 8 instances, made over HTTP.
  const empty = await measure('empty CSE', undefined, 'Cscale');
  // The large one: the same AE, then the store filled directly while the IN-CSE is stopped.
  const first = await startInCse({ store: 'sqlite', env: { M2MSEC_LOG_LEVEL: 'error' } });
  await template(first, 'Cscale');
  await first.stop();
  const t = Date.now();
  const store = await openSqliteStore({ file: join(first.dataDir, 'resources.db') });
  await fill(store, 'Cscale');
  await store.close();
  const fillS = (Date.now() - t) / 1000;
  const big = await measure(`${AES} AEs, ${INSTANCES} instances`, first.dataDir, 'Cscale');

  const f = (x: number) => x.toFixed(2).padStart(8);
  rmSync(first.dataDir, { recursive: true, force: true });
  console.log(`scale (issue 21): up to ${REQUESTS} sequential requests per case; fill took ${fillS.toFixed(0)} s`);
  console.log(
    `${'CSE'.padEnd(34)} ${'start ms'.padStart(8)} ${'RSS MB'.padStart(8)}  ${'case'.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'RSS +MB'.padStart(8)} ${'n'.padStart(5)} ${'partial'.padStart(7)}`,
  );
  console.log(
    `${'bare node:http (latency floor)'.padEnd(34)} ${'-'.padStart(8)} ${'-'.padStart(8)}  ${'GET'.padEnd(26)} ${f(bare.p50)} ${f(bare.p99)} ${f(bare.rssGrowthMb)} ${String(bare.requests).padStart(5)} ${'-'.padStart(7)}`,
  );
  for (const m of [empty, big]) {
    for (const [name, s] of [
      ['GET la', m.la],
      ['fu=1&ty=4&lim=10 under AE', m.underAe],
      ['fu=1&ty=4&lim=10 CSE-wide', m.cseWide],
    ] as const) {
      console.log(
        `${m.label.padEnd(34)} ${String(m.startMs).padStart(8)} ${m.rssMb.toFixed(0).padStart(8)}  ${name.padEnd(26)} ${f(s.p50)} ${f(s.p99)} ${f(s.rssGrowthMb)} ${String(s.requests).padStart(5)} ${String(s.partial).padStart(7)}`,
      );
    }
  }
  console.log('targets: p99 <= 5 ms under one AE, <= 50 ms CSE-wide with lim=10, RSS growth <= 20 MB, RSS <= 400 MB');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
