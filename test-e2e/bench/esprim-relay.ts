// ESPrim-protected RETRIEVE through a relaying MN-CSE over real sockets (AE -HTTP-> MN-CSE -HTTPS,
// certificate SAEF-> IN-CSE, see src/nodes/esprim-world.ts) against the same RETRIEVE without ESPrim, in
// alternating rounds on the same processes (issue 14 asks for a ratio of at least 0.5). One request at a
// time; BENCH_SECONDS per case and round (default 3), BENCH_ROUNDS rounds (default 2).
import { ESPRIM_AE, startEsprimWorld } from '../src/nodes/esprim-world.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const w = await startEsprimWorld();
let exitCode = 0;
try {
  w.hop.record = false;
  const acp = {
    'm2m:acp': {
      rn: 'benchAcp',
      pv: { acr: [{ acor: [ESPRIM_AE], acop: 2 }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  const ok = [
    await w.post(w.inPlainUrl, '/cse-in', 'CAdmin', 1, acp),
    await w.post(w.inPlainUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'bench', acpi: ['cse-in/benchAcp'] } }),
    await w.post(w.mnUrl, '/cse-mn', 'Cae1', 2, { 'm2m:ae': { api: 'Nb', rr: false, srv: ['3'] } }),
  ];
  if (ok.some((r) => r !== 2001)) throw new Error(`bench set-up: ${ok.join(' ')}`);
  const client = w.client();
  let n = 0;
  // Both cases through the same HTTP client (the binding's sender, keep-alive).
  const plain = async () => {
    const r = await w.sender.send(w.mnUrl, { op: 2, to: '/id-in/cse-in/bench', fr: 'Cae1', rqi: `p${++n}`, rvi: '3' });
    if (r.rsc !== 2000) throw new Error(`plain RETRIEVE: ${r.rsc} ${r.dbg}`);
  };
  const esprim = async () => {
    const r = await client.request({ op: 2, to: '/id-in/cse-in/bench', fr: ESPRIM_AE, rqi: `b${++n}`, rvi: '3' });
    if (r.rsc !== 2000) throw new Error(`ESPrim RETRIEVE: ${r.rsc} ${r.dbg}`);
  };
  for (let i = 0; i < 50; i++) {
    await plain();
    await esprim();
  }
  const run = async (f: () => Promise<void>) => {
    let ops = 0;
    const end = Date.now() + seconds * 1000;
    const start = performance.now();
    while (Date.now() < end) {
      await f();
      ops++;
    }
    return { ops, ms: performance.now() - start };
  };
  const a = { ops: 0, ms: 0 };
  const b = { ops: 0, ms: 0 };
  for (let r = 0; r < rounds; r++) {
    const x = await run(plain);
    const y = await run(esprim);
    b.ops += x.ops;
    b.ms += x.ms;
    a.ops += y.ops;
    a.ms += y.ms;
  }
  const rate = (o: { ops: number; ms: number }) => (o.ops * 1000) / o.ms;
  console.log(`${'case'.padEnd(52)} ${'req/s'.padStart(8)}  ratio`);
  console.log(`${'RETRIEVE AE->MN->IN over HTTP/HTTPS, no ESPrim'.padEnd(52)} ${rate(b).toFixed(0).padStart(8)}`);
  console.log(
    `${'same RETRIEVE, ESPrim-protected (A256GCM)'.padEnd(52)} ${rate(a).toFixed(0).padStart(8)}  ${(rate(a) / rate(b)).toFixed(2)}`,
  );
} catch (e) {
  console.error((e as Error).message);
  exitCode = 1;
} finally {
  await w.close();
}
process.exit(exitCode);
