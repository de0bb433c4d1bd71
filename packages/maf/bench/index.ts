// pnpm bench: MAF Key Registrations/s and Key Retrievals/s (each on its own MAF Handshake, as a client
// runs them) beside bare TLS-PSK handshakes/s against a Node TLS server with the same suite, all in
// this run on this machine, in alternating rounds; medians and the ratio against the bare handshake.
// Bounded: BENCH_SECONDS per round (default 1), 3 rounds per case.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { pskClientOptions, pskServerOptions } from '@m2msec/saef';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf } from '../test/helpers.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const rounds = 3;
const A = '//m2msec.org/id-in/Cbench';
const B = '//m2msec.org/id-in';

const t = await startTestMaf();
const a = await t.client(A);
const b = await t.client(B);
await a.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });

const kBare = randomBytes(32);
const bare = createServer(
  pskServerOptions({ resolve: (id) => (id === 'bench@bare' ? kBare : undefined), tls13: false }),
  (s) => s.end(),
);
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const barePort = (bare.address() as AddressInfo).port;

const handshake = () =>
  new Promise<void>((resolve, reject) => {
    const s = connect({
      host: '127.0.0.1',
      port: barePort,
      ...pskClientOptions({ identity: 'bench@bare', key: kBare, servername: MAF_FQDN }),
    });
    s.on('secureConnect', () => s.end());
    s.on('close', () => resolve());
    s.on('error', reject);
    s.resume();
  });

const rids: string[] = [];
const register = async () => {
  const k = await a.registerKey({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(30), suid: 32, targetIDs: [B] });
  k.connectionKey?.kc.fill(0);
  rids.push(k.relativeKeyID);
};
let next = 0;
const retrieve = async () => {
  const k = await b.retrieveKey(rids[next++ % rids.length]!);
  k.keyValue.fill(0);
};

async function measure(fn: () => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const start = process.hrtime.bigint();
  while (Date.now() < end) {
    await fn();
    n++;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const cases: Array<[string, () => Promise<void>]> = [
  ['bare TLS-PSK handshake (baseline)', handshake],
  ['MAF Key Registration (handshake + POST /maf/symmKeyReg)', register],
  ['MAF Key Retrieval (handshake + GET /maf/symmKeyReg/<id>)', retrieve],
];
// Warm up (JIT, SQLite pages); leaves keys to retrieve.
for (const [, fn] of cases) for (let i = 0; i < 20; i++) await fn();
const results = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of cases) results.get(name)!.push(await measure(fn));
}
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
const base = median(results.get(cases[0]![0])!);
console.log(
  `MAF bench (${rounds} alternating rounds of ${seconds}s, SQLite store, software SE, one client at a time; client and servers share this machine)`,
);
for (const [name] of cases) {
  const m = median(results.get(name)!);
  console.log(
    `${name.padEnd(60)} ${m.toFixed(0).padStart(6)} ops/s   ratio vs bare handshake ${(m / base).toFixed(2)}`,
  );
}
bare.close();
await t.close();
