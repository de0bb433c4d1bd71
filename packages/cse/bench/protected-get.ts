// CPU per protected GET `la` inside the CSE (issue 21), without HTTP: Cse.handle for a non-admin originator
// whose access an <accessControlPolicy> grants, against the store reads that answer needs at the least
// (the container by path, its policy, its latest instance) as the baseline, interleaved in one run; then the
// same GET on a CSE whose store has the read cache the IN-CSE installs on SQLite (installReadCache) against
// the CSE without it, interleaved too.
// Usage: pnpm --filter @m2msec/cse bench:get      (run it under `node --cpu-prof` for a profile, see
// docs/performance.md)
import { installReadCache, openSqliteStore } from '@m2msec/store';
import { Cse } from '../src/index.js';

const BUDGET_MS = Number(process.env.BENCH_MS ?? 4000);
const ROUNDS = 8;

/** Operations per second of `fn` and `baseline`, measured in alternating slices so machine noise hits both. */
async function interleaved(fn: () => Promise<void>, baseline: () => Promise<void>) {
  const slice = async (f: () => Promise<void>) => {
    let ops = 0;
    const start = performance.now();
    while (performance.now() - start < BUDGET_MS / ROUNDS / 2) {
      for (let i = 0; i < 20; i++) await f();
      ops += 20;
    }
    return { ops, ms: performance.now() - start };
  };
  for (let i = 0; i < 500; i++) {
    await fn();
    await baseline();
  }
  const a = { ops: 0, ms: 0 };
  const b = { ops: 0, ms: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const x = await slice(baseline);
    const y = await slice(fn);
    b.ops += x.ops;
    b.ms += x.ms;
    a.ops += y.ops;
    a.ms += y.ms;
  }
  return { ops: (a.ops * 1000) / a.ms, baselineOps: (b.ops * 1000) / b.ms };
}
const http = { binding: 'http' as const, peerAddress: '127.0.0.1' };
let rqi = 0;

/** A CSE on an in-memory store holding the scenario; `get` is the protected GET la. */
async function scenario(cached: boolean) {
  const store = await openSqliteStore({ file: ':memory:' });
  const cache = cached ? installReadCache(store) : undefined;
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { expirySweepMs: 0 },
  });
  const send = (r: Record<string, unknown>) => cse.handle({ rqi: `r${++rqi}`, rvi: '3', ...r }, http);
  const created = async (r: Record<string, unknown>) => {
    const rsp = await send({ op: 1, ...r });
    if (rsp.rsc !== 2001) throw new Error(`setup: ${rsp.rsc} ${rsp.dbg}`);
    return rsp.pc as Record<string, Record<string, unknown>>;
  };
  for (const ae of ['Cbench', 'Creader'])
    await created({ to: 'cse-in', fr: ae, ty: 2, pc: { 'm2m:ae': { rn: ae, api: 'Nb', rr: false, srv: ['3'] } } });
  const acp = await created({
    to: 'cse-in/Cbench',
    fr: 'Cbench',
    ty: 1,
    pc: {
      'm2m:acp': {
        rn: 'acp',
        pv: {
          acr: [
            { acor: ['Cbench'], acop: 63 },
            { acor: ['Creader'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['Cbench'], acop: 63 }] },
      },
    },
  });
  const acpRi = acp['m2m:acp']!.ri as string;
  await created({ to: 'cse-in/Cbench', fr: 'Cbench', ty: 3, pc: { 'm2m:cnt': { rn: 'data', acpi: [acpRi] } } });
  await created({
    to: 'cse-in/Cbench/data',
    fr: 'Cbench',
    ty: 4,
    pc: { 'm2m:cin': { con: '21.5', cnf: 'text/plain:0' } },
  });

  const get = async () => {
    const r = await send({ op: 2, to: 'cse-in/Cbench/data/la', fr: 'Creader' });
    if (r.rsc !== 2000) throw new Error(`GET la: ${r.rsc} ${r.dbg}`);
  };
  return { store, cse, cache, get, acpRi };
}

/** BENCH_PROFILE=cached|uncached: only that GET, for BENCH_MS, for a profiler attached to this process. */
async function profileOnly(cached: boolean) {
  const s = await scenario(cached);
  console.log(`pid ${process.pid}: GET la ${cached ? 'with' : 'without'} the read cache for ${BUDGET_MS} ms`);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS) {
    for (let i = 0; i < 50; i++) await s.get();
    n += 50;
  }
  console.log(`  ${n} requests, ${((performance.now() - start) * 1000) / n} µs each (wall)`);
  await s.cse.stop();
  await s.store.close();
}

async function main() {
  if (process.env.BENCH_PROFILE) return profileOnly(process.env.BENCH_PROFILE === 'cached');
  const { store, cse, get, acpRi } = await scenario(false);
  const reads = async () => {
    const cnt = await store.resources.getBySrn('cse-in/Cbench/data');
    await store.resources.get(acpRi);
    await store.resources.children(cnt!.ri, { ty: [4], order: 'desc', lim: 1 });
  };
  const { ops, baselineOps } = await interleaved(get, reads);
  console.log('GET la of a container under an <accessControlPolicy>, non-admin originator, in process (no HTTP)');
  console.log(`  Cse.handle:                     ${ops.toFixed(0).padStart(7)}/s  ${(1e6 / ops).toFixed(0)} µs each`);
  console.log(
    `  its three store reads alone:    ${baselineOps.toFixed(0).padStart(7)}/s  ${(1e6 / baselineOps).toFixed(0)} µs each`,
  );
  console.log(`  ratio:                          ${(ops / baselineOps).toFixed(2)}`);
  const warm = await scenario(true);
  const c = await interleaved(warm.get, get);
  const { hits, misses } = warm.cache!.stats;
  console.log('The same GET with the read cache (installReadCache) against without it, interleaved');
  console.log(
    `  Cse.handle, read cache:         ${c.ops.toFixed(0).padStart(7)}/s  ${(1e6 / c.ops).toFixed(0)} µs each`,
  );
  console.log(
    `  Cse.handle, no cache:           ${c.baselineOps.toFixed(0).padStart(7)}/s  ${(1e6 / c.baselineOps).toFixed(0)} µs each`,
  );
  console.log(
    `  speed-up:                       ${(c.ops / c.baselineOps).toFixed(2)}  (cache hits ${hits}, misses ${misses})`,
  );
  await warm.cse.stop();
  await warm.store.close();
  await cse.stop();
  await store.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
