// End-to-end CREATE latency: a device AE -> MQTT (TLS-PSK) -> MN-CSE -> HTTPS (certificate SAEF)
// -> IN-CSE on PostgreSQL, against two baselines measured in the same run on the same processes:
// an AE posting straight to the IN-CSE (HTTPS, certificate) and the device posting to the MN-CSE
// itself (MQTT hop only). One request at a time per case, BENCH_SECONDS each (default 5), and
// BENCH_ROUNDS alternating rounds (default 2). Prints p50 / p90 / p99, requests/s, ratio to baseline.
import { percentiles, ReferenceAe } from '@m2msec/ae';
import { buildWorld } from '../src/world.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

const w = await buildWorld({ aes: false, forwardTimeoutMs: 10_000 });
let exitCode = 0;
try {
  console.log(`topology: ${w.topo.describe()}`);
  const acp = await w.admin('POST', '/cse-in', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'benchAcp',
        pv: { acr: [{ acor: ['/id-mn/Cae1', '/id-in/Cbench'], acop: 3 }] },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    },
  });
  const cnt = await w.admin('POST', '/cse-in', {
    ty: 3,
    body: { 'm2m:cnt': { rn: 'bench', mni: 1000, acpi: ['cse-in/benchAcp'] } },
  });
  if (acp.rsc !== 2001 || cnt.rsc !== 2001) throw new Error(`bench set-up at the IN-CSE: ${acp.rsc} ${cnt.rsc}`);

  const device = new ReferenceAe({
    registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
    transport: {
      kind: 'mqtt',
      url: `mqtts://${w.broker.address}:${w.broker.pskPort}`,
      tls: { psk: { identity: '12-ae1@m2msec.org', key: Buffer.from(w.psk.get('12-ae1@m2msec.org')!, 'hex') } },
    },
    stem: 'Cae1',
    appId: 'Nsensor',
    container: { rn: 'local', mni: 1000 },
  });
  const leaf = w.ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cbench', usage: 'client' });
  const direct = new ReferenceAe({
    registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
    transport: {
      kind: 'http',
      url: `https://${w.inCse.address}:${w.inCse.certPort}`,
      framework: {
        kind: 'certificate',
        cert: leaf.cert,
        key: leaf.key,
        trustAnchors: [w.ca.cert],
        servername: 'id-in.m2msec.org',
      },
    },
    stem: 'Cbench',
    appId: 'Nbench',
  });
  await device.start();
  await direct.start();

  const cases = {
    'AE -> IN-CSE (HTTPS cert), baseline': () => direct.post({ v: 1 }, 'cse-in/bench'),
    'AE -> MN-CSE (MQTT PSK), local': () => device.post({ v: 1 }, 'cse-mn/Cae1/local'),
    'AE -> MN-CSE -> IN-CSE (MQTT PSK, HTTPS cert)': () => device.post({ v: 1 }, '/id-in/cse-in/bench'),
  };
  const samples = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
  const failures = new Map<string, number>();
  for (const run of Object.values(cases)) for (let i = 0; i < 20; i++) await run(); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(cases)) {
      const until = performance.now() + (seconds * 1000) / rounds;
      while (performance.now() < until) {
        const t = performance.now();
        const rsp = await run();
        if (rsp.rsc === 2001) samples.get(name)!.push(performance.now() - t);
        else failures.set(name, (failures.get(name) ?? 0) + 1);
      }
    }
  }
  const base = percentiles(samples.get(Object.keys(cases)[0]!)!, [50]).p50!;
  console.log(
    `\nCREATE <contentInstance> latency, one request at a time, ${seconds} s per case in ${rounds} alternating rounds`,
  );
  console.log(
    'case'.padEnd(48),
    'n'.padStart(6),
    'req/s'.padStart(8),
    'p50 ms'.padStart(8),
    'p90 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'p50 / baseline'.padStart(15),
  );
  for (const [name, xs] of samples) {
    const p = percentiles(xs, [50, 90, 99]);
    const rps = xs.length / seconds;
    console.log(
      name.padEnd(48),
      String(xs.length).padStart(6),
      rps.toFixed(0).padStart(8),
      p.p50!.toFixed(2).padStart(8),
      p.p90!.toFixed(2).padStart(8),
      p.p99!.toFixed(2).padStart(8),
      (p.p50! / base).toFixed(2).padStart(15),
      failures.get(name) ? `  (${failures.get(name)} failed)` : '',
    );
  }
  await device.close();
  await direct.close();
} catch (e) {
  console.error(`bench failed: ${(e as Error).message}`);
  exitCode = 1;
} finally {
  await w.close();
}
process.exit(exitCode);
