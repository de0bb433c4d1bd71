// Soak (issue 20 item 5): the built IN-CSE in the secure profile (SQLite store, certificate-SAEF HTTPS)
// first driven as fast as SOAK_CONCURRENCY clients go for SOAK_PEAK_SECONDS to measure its peak rate,
// then held at SOAK_LOAD (default 0.8) of that rate for SOAK_MINUTES (default 10) with a mixed load:
// CREATE of contentInstances (each notified to a subscriber on this machine), RETRIEVE, UPDATE,
// CREATE + DELETE of containers, and requests on a fresh TLS handshake (no session reuse). Every
// SOAK_WINDOW_SECONDS (default 60) it prints requests, errors, p50 / p99 and the IN-CSE's RSS; at the
// end the RSS growth from the second window to the last, the p99 spread, errors and notifications
// received against those due. Exit code 1 on any error, a lost notification or an unstable p99.
// p99 stability is judged against a baseline measured in the same run, because the machine is shared: a
// bare node:https server (same certificate, same keep-alive agent and the same share of fresh handshakes)
// in its own process gets SOAK_BASELINE_SHARE (default 0.25) of the soak's rate throughout. Per window the
// soak prints the 1-minute load average, the CPU the rest of the machine used (not the IN-CSE, not this
// process), the baseline's p99 and the ratio p99 / baseline p99. The p99 is stable when, from window 2 to
// the end, the median ratio of the second half is within SOAK_DRIFT (1.5) of the first half's (no upward
// trend) and no window's ratio exceeds SOAK_SPIKE (3) times the median (no runaway window).
// Memory: besides RSS, the IN-CSE's live JS heap after a full GC, external memory, V8's committed heap and the
// native rest, sampled every SOAK_MEM_PROBE_SECONDS (10; 0: off) by bench/mem-probe.cjs, so a leak (live heap or
// external growing) can be told from V8 or the allocator holding more pages. SOAK_HEAP_SNAPSHOTS=1 also writes
// heap snapshots at window 2 and at the end (diagnosis only: each one stalls the IN-CSE and raises its RSS).
//   SOAK_MINUTES=10 pnpm --filter @m2msec/test-e2e exec tsx --conditions=source bench/soak.ts
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../src/nodes/process.js';
import { startSecureTarget } from '../src/nodes/secure-in-cse.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const peakSeconds = Number(process.env.SOAK_PEAK_SECONDS ?? 10);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 16);
const load = Number(process.env.SOAK_LOAD ?? 0.8);
const windowSeconds = Number(process.env.SOAK_WINDOW_SECONDS ?? 60);
const baselineShare = Number(process.env.SOAK_BASELINE_SHARE ?? 0.25);
const drift = Number(process.env.SOAK_DRIFT ?? 1.5);
const spike = Number(process.env.SOAK_SPIKE ?? 3);

// The subscriber: answers every notification 2000 and counts those about a contentInstance.
let notified = 0;
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (body.includes('m2m:cin')) notified++;
    res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': String(req.headers['x-m2m-ri'] ?? '') }).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const nu = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;

// The IN-CSE's memory, split (bench/mem-probe.cjs): after a full GC every 10 s, its live heap, external memory
// and RSS. SOAK_HEAP_SNAPSHOTS=1: a heap snapshot at window 2 and at the end (SIGUSR2), in the printed directory.
const probeDir = mkdtempSync(join(tmpdir(), 'm2msec-soak-mem-'));
const probeFile = join(probeDir, 'memory.jsonl');
const snapshots = process.env.SOAK_HEAP_SNAPSHOTS === '1';
// The probe's full GC every sample keeps V8's heap compact: SOAK_MEM_PROBE_SECONDS=0 runs without it (RSS only).
const probeSeconds = Number(process.env.SOAK_MEM_PROBE_SECONDS ?? 10);
const t = await startSecureTarget({
  aes: ['Csoak'],
  config: { notifications: { allowTargets: ['127.0.0.1'] }, log: { level: 'warn' } },
  env: probeSeconds > 0 ? { M2MSEC_MEM_PROBE_FILE: probeFile, M2MSEC_MEM_PROBE_MS: String(probeSeconds * 1000) } : {},
  nodeArgs: [
    ...(probeSeconds > 0 ? ['--require', fileURLToPath(new URL('./mem-probe.cjs', import.meta.url))] : []),
    ...(snapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${probeDir}`] : []),
  ],
});
/** The probe's last sample (MB): live heap after GC, external, RSS. */
const probe = () => {
  if (!existsSync(probeFile))
    return { heap: Number.NaN, heapTotal: Number.NaN, external: Number.NaN, native: Number.NaN };
  const line = readFileSync(probeFile, 'utf8').trim().split('\n').at(-1);
  const m = line ? JSON.parse(line) : {};
  const mb = (k: string) => (m[k] ?? Number.NaN) / 2 ** 20;
  // native: what the RSS holds beside V8's committed heap and external memory (SQLite, OpenSSL, malloc).
  return {
    heap: mb('heapUsed'),
    heapTotal: mb('heapTotal'),
    external: mb('external'),
    native: mb('rss') - mb('heapTotal') - mb('external'),
  };
};
const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 });

// The baseline: a bare HTTPS server in its own process, the IN-CSE's server certificate, a JSON answer.
const bareCert = t.ca.issue({ san: 'IP:127.0.0.1', usage: 'server' });
const bare = spawn(
  process.execPath,
  [
    '-e',
    `const https = require('node:https'); const fs = require('node:fs');
     const s = https.createServer({ cert: fs.readFileSync(process.argv[1]), key: fs.readFileSync(process.argv[2]) }, (req, res) => {
       let b = ''; req.on('data', (d) => (b += d)); req.on('end', () => {
         const body = JSON.stringify({ 'm2m:cin': { con: 'v', ri: String(Date.now()), lbl: JSON.parse(b || '[]') } });
         res.writeHead(200, { 'content-type': 'application/json', 'x-m2m-rsc': '2000' }).end(body); }); });
     s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    bareCert.certPath,
    bareCert.keyPath,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const barePort = await new Promise<number>((resolve) => bare.stdout!.once('data', (d) => resolve(Number(String(d)))));
const bareAgent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: readFileSync(t.ca.certPath) });
let bareSeq = 0;
/** One baseline request (every 20th on a fresh handshake, as in the soak's mix); its latency in ms. */
function baselineRequest(): Promise<number> {
  const fresh = bareSeq++ % 20 === 19;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: barePort,
        method: 'POST',
        path: '/',
        ca: readFileSync(t.ca.certPath),
        ...(fresh ? { agent: false } : { agent: bareAgent }),
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error('baseline'))));
      },
    );
    req.on('error', reject);
    req.end('["a","b"]');
  });
}
const call = (method: string, path: string, o: { ty?: number; body?: unknown; fresh?: boolean } = {}) =>
  t.as('Csoak', method, path, { ...o, ...(o.fresh ? {} : { agent }) });

const must = async (what: string, p: ReturnType<typeof call>, rsc: number) => {
  const r = await p;
  if (r.rsc !== rsc) throw new Error(`${what}: ${r.rsc} ${JSON.stringify(r.body)}`);
  return r;
};
await must('container', call('POST', '/cse-in/Csoak', { ty: 3, body: { 'm2m:cnt': { rn: 'data', mni: 100 } } }), 2001);
await must(
  'subscription',
  call('POST', '/cse-in/Csoak/data', { ty: 23, body: { 'm2m:sub': { rn: 'sub', nu: [nu], enc: { net: [3] } } } }),
  2001,
);

let seq = 0;
let cinCreated = 0;
/** One operation of the mix; resolves with whether it got the status it expects. */
async function operation(): Promise<boolean> {
  const n = seq++;
  const k = n % 20;
  if (k < 8) {
    const r = await call('POST', '/cse-in/Csoak/data', { ty: 4, body: { 'm2m:cin': { con: `v${n}` } } });
    if (r.rsc === 2001) cinCreated++;
    return r.rsc === 2001;
  }
  if (k < 14) return (await call('GET', '/cse-in/Csoak/data/la')).rsc === 2000;
  if (k < 17)
    return (await call('PUT', '/cse-in/Csoak/data', { body: { 'm2m:cnt': { lbl: [`l${n}`] } } })).rsc === 2004;
  if (k < 19) {
    const c = await call('POST', '/cse-in/Csoak', { ty: 3, body: { 'm2m:cnt': { rn: `tmp${n}` } } });
    if (c.rsc !== 2001) return false;
    return (await call('DELETE', `/cse-in/Csoak/tmp${n}`)).rsc === 2002;
  }
  return (await call('GET', '/cse-in/Csoak/data', { fresh: true })).rsc === 2000; // a new handshake
}

const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${t.cse.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// Peak: closed loop, `concurrency` clients back to back.
let peakDone = 0;
const peakEnd = Date.now() + peakSeconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < peakEnd) if (await operation().catch(() => false)) peakDone++;
  }),
);
const peakRate = peakDone / peakSeconds;
const rate = peakRate * load;
console.log(
  `peak: ${peakRate.toFixed(0)} ops/s with ${concurrency} clients; holding ${rate.toFixed(0)} ops/s (${load * 100}%) for ${minutes} min`,
);

// Hold: open loop at `rate`; the start times are fixed, so a slow server shows as latency, not a lower rate.
interface Window {
  lat: number[];
  base: number[];
  errors: number;
  rss: number;
  /** Live JS heap after a GC and external memory, MB (the probe's last sample). */
  heap: number;
  external: number;
  /** V8's committed heap and the rest of the RSS (native), MB. */
  heapTotal: number;
  native: number;
  load1: number;
  /** Share of the machine's CPU (all cores) used by other processes than the IN-CSE and the soak. */
  others: number;
}
const windows: Window[] = [];
const fresh = (): Window => ({
  lat: [],
  base: [],
  errors: 0,
  rss: 0,
  heap: 0,
  external: 0,
  heapTotal: 0,
  native: 0,
  load1: 0,
  others: 0,
});
let current: Window = fresh();

// CPU accounting from /proc: the machine's busy jiffies minus the IN-CSE's and this process's.
const machineJiffies = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  return { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
};
const processJiffies = (pid: number) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};
const ownJiffies = () => processJiffies(t.cse.pid) + processJiffies(process.pid) + processJiffies(bare.pid!);
let cpuMark = { m: machineJiffies(), own: ownJiffies() };
const closeWindow = (w: Window) => {
  const m = machineJiffies();
  const own = ownJiffies();
  w.rss = rssMb();
  Object.assign(w, probe());
  w.load1 = loadavg()[0]!;
  const total = m.total - cpuMark.m.total;
  w.others = total > 0 ? Math.max(0, m.busy - cpuMark.m.busy - (own - cpuMark.own)) / total : 0;
  cpuMark = { m, own };
};
const ratio = (w: Window) => pct(w.lat, 99) / pct(w.base, 99);
let errors = 0;
const firstErrors: string[] = [];
const inflight = new Set<Promise<void>>();
const start = Date.now();
const end = start + minutes * 60_000;
let nextWindow = start + windowSeconds * 1000;
const cinBefore = cinCreated;
const notifiedBefore = notified;
console.log(
  `window  requests  errors  p50_ms  p99_ms  base_p99  ratio  load1  others_cpu  rss_MB  heap_MB  ext_MB  notified   (${cpus().length} cores)`,
);
const row = (w: Window, i: number) =>
  console.log(
    `${String(i).padStart(6)}  ${String(w.lat.length).padStart(8)}  ${String(w.errors).padStart(6)}  ${pct(w.lat, 50).toFixed(1).padStart(6)}  ${pct(w.lat, 99).toFixed(1).padStart(6)}  ${pct(w.base, 99).toFixed(1).padStart(8)}  ${ratio(w).toFixed(1).padStart(5)}  ${w.load1.toFixed(2).padStart(5)}  ${`${(w.others * 100).toFixed(0)}%`.padStart(10)}  ${w.rss.toFixed(1).padStart(6)}  ${w.heap.toFixed(1).padStart(7)}  ${w.external.toFixed(1).padStart(6)}  ${notified - notifiedBefore}`,
  );
// The baseline runs beside the soak at its share of the rate, open loop like the soak.
let baseErrors = 0;
const baseInflight = new Set<Promise<void>>();
const baseTimer = setInterval(
  () => {
    const w = current;
    const p = baselineRequest()
      .then((ms) => {
        w.base.push(ms);
      })
      .catch(() => {
        baseErrors++;
      })
      .finally(() => baseInflight.delete(p));
    baseInflight.add(p);
  },
  1000 / Math.max(1, rate * baselineShare),
);
for (let i = 0; ; i++) {
  const due = start + (i * 1000) / rate;
  if (due >= end) break;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  if (Date.now() >= nextWindow) {
    closeWindow(current);
    windows.push(current);
    row(current, windows.length);
    if (snapshots && windows.length === 2) process.kill(t.cse.pid, 'SIGUSR2');
    current = fresh();
    nextWindow += windowSeconds * 1000;
  }
  const w = current;
  const t0 = performance.now();
  const p = operation()
    .then((ok) => {
      w.lat.push(performance.now() - t0);
      if (!ok) throw new Error('unexpected status');
    })
    .catch((e) => {
      w.errors++;
      errors++;
      if (firstErrors.length < 5) firstErrors.push(String(e));
    })
    .finally(() => inflight.delete(p));
  inflight.add(p);
}
await Promise.all(inflight);
clearInterval(baseTimer);
await Promise.all(baseInflight);
closeWindow(current);
if (current.lat.length > 0) {
  windows.push(current);
  row(current, windows.length);
}
const due = cinCreated - cinBefore;
await until('notifications delivered', async () => notified - notifiedBefore >= due, 60_000).catch(() => undefined);

if (snapshots) {
  process.kill(t.cse.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 20_000)); // the snapshot is written synchronously, then the CSE goes on
}
const w2 = windows[Math.min(1, windows.length - 1)]!;
const wEnd = windows.at(-1)!;
const base = w2.rss;
const last = wEnd.rss;
const growth = (a: number, b: number) =>
  `${a.toFixed(1)} MB at window 2 -> ${b.toFixed(1)} MB at the end (${(((b - a) / a) * 100).toFixed(1)}%)`;
const p99s = windows.map((w) => pct(w.lat, 99));
const total = windows.reduce((a, w) => a + w.lat.length, 0);
// Stability from window 2 on (window 1 includes warm-up), on the ratio to the same run's baseline.
const judged = windows.slice(1).map(ratio).filter(Number.isFinite);
const median = (xs: number[]) => pct(xs, 50);
const half = Math.floor(judged.length / 2);
const trend = judged.length >= 2 ? median(judged.slice(half)) / median(judged.slice(0, half)) : 1;
const worst = judged.length ? Math.max(...judged) / median(judged) : 1;
const stable = trend <= drift && worst <= spike;
console.log(
  [
    `requests: ${total}, errors: ${errors}${firstErrors.length ? ` (${firstErrors.join('; ')})` : ''}`,
    `notifications: ${notified - notifiedBefore} received of ${due} due; refused by the per-target queue bound: ${(t.cse.output().match(/too many requests queued for this target/g) ?? []).length}`,
    `RSS: ${growth(base, last)}`,
    `live JS heap (after GC): ${growth(w2.heap, wEnd.heap)}; external: ${growth(w2.external, wEnd.external)}`,
    `V8 committed heap: ${growth(w2.heapTotal, wEnd.heapTotal)}; native (RSS - committed heap - external): ${growth(w2.native, wEnd.native)}`,
    `memory samples${snapshots ? ' and heap snapshots' : ''}: ${probeDir}`,
    `p99 per window: min ${Math.min(...p99s).toFixed(1)} ms, max ${Math.max(...p99s).toFixed(1)} ms`,
    `baseline (bare node:https, ${baselineShare * 100}% of the rate): ${windows.reduce((a, w) => a + w.base.length, 0)} requests, ${baseErrors} errors`,
    `p99 / baseline p99 from window 2: second half / first half ${trend.toFixed(2)} (<= ${drift}), worst window / median ${worst.toFixed(2)} (<= ${spike}) -> p99 ${stable ? 'stable' : 'NOT stable'}`,
    `load average (1 min) per window: ${windows.map((w) => w.load1.toFixed(1)).join(' ')}; other processes' CPU: ${windows.map((w) => `${(w.others * 100).toFixed(0)}%`).join(' ')}`,
  ].join('\n'),
);
agent.destroy();
bareAgent.destroy();
bare.kill();
receiver.close();
await t.stop();
process.exit(errors > 0 || notified - notifiedBefore < due || !stable ? 1 : 0);
