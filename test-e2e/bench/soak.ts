// Soak (issue 20 item 5): the built IN-CSE in the secure profile (SQLite store, certificate-SAEF HTTPS)
// first driven as fast as SOAK_CONCURRENCY clients go for SOAK_PEAK_SECONDS to measure its peak rate,
// then held at SOAK_LOAD (default 0.8) of that rate for SOAK_MINUTES (default 10) with a mixed load:
// CREATE of contentInstances (each notified to a subscriber on this machine), RETRIEVE, UPDATE,
// CREATE + DELETE of containers, and requests on a fresh TLS handshake (no session reuse). Every
// SOAK_WINDOW_SECONDS (default 60) it prints requests, errors, p50 / p99 and the IN-CSE's RSS; at the
// end the RSS growth from the second window to the last, the p99 spread, errors and notifications
// received against those due. Exit code 1 on any error or a lost notification.
//   SOAK_MINUTES=10 pnpm --filter @m2msec/test-e2e exec tsx --conditions=source bench/soak.ts
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { until } from '../src/nodes/process.js';
import { startSecureTarget } from '../src/nodes/secure-in-cse.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const peakSeconds = Number(process.env.SOAK_PEAK_SECONDS ?? 10);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 16);
const load = Number(process.env.SOAK_LOAD ?? 0.8);
const windowSeconds = Number(process.env.SOAK_WINDOW_SECONDS ?? 60);

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

const t = await startSecureTarget({
  aes: ['Csoak'],
  config: { notifications: { allowTargets: ['127.0.0.1'] }, log: { level: 'warn' } },
});
const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 });
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
  errors: number;
  rss: number;
}
const windows: Window[] = [];
let current: Window = { lat: [], errors: 0, rss: 0 };
let errors = 0;
const firstErrors: string[] = [];
const inflight = new Set<Promise<void>>();
const start = Date.now();
const end = start + minutes * 60_000;
let nextWindow = start + windowSeconds * 1000;
const cinBefore = cinCreated;
const notifiedBefore = notified;
console.log('window  requests  errors  p50_ms  p99_ms  rss_MB  notified');
for (let i = 0; ; i++) {
  const due = start + (i * 1000) / rate;
  if (due >= end) break;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  if (Date.now() >= nextWindow) {
    current.rss = rssMb();
    windows.push(current);
    const w = current;
    console.log(
      `${String(windows.length).padStart(6)}  ${String(w.lat.length).padStart(8)}  ${String(w.errors).padStart(6)}  ${pct(w.lat, 50).toFixed(1).padStart(6)}  ${pct(w.lat, 99).toFixed(1).padStart(6)}  ${w.rss.toFixed(1).padStart(6)}  ${notified - notifiedBefore}`,
    );
    current = { lat: [], errors: 0, rss: 0 };
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
current.rss = rssMb();
if (current.lat.length > 0) windows.push(current);
const due = cinCreated - cinBefore;
await until('notifications delivered', async () => notified - notifiedBefore >= due, 60_000).catch(() => undefined);

const base = windows[Math.min(1, windows.length - 1)]!.rss;
const last = windows.at(-1)!.rss;
const p99s = windows.map((w) => pct(w.lat, 99));
const total = windows.reduce((a, w) => a + w.lat.length, 0);
console.log(
  [
    `requests: ${total}, errors: ${errors}${firstErrors.length ? ` (${firstErrors.join('; ')})` : ''}`,
    `notifications: ${notified - notifiedBefore} received of ${due} due; refused by the per-target queue bound: ${(t.cse.output().match(/too many requests queued for this target/g) ?? []).length}`,
    `RSS: ${base.toFixed(1)} MB at window 2 -> ${last.toFixed(1)} MB at the end (${(((last - base) / base) * 100).toFixed(1)}%)`,
    `p99 per window: min ${Math.min(...p99s).toFixed(1)} ms, max ${Math.max(...p99s).toFixed(1)} ms`,
  ].join('\n'),
);
agent.destroy();
receiver.close();
await t.stop();
process.exit(errors > 0 || notified - notifiedBefore < due ? 1 : 0);
