// GBA bootstraps per second (the full Ub exchange: 401 challenge, AKA on the device, answer, 200 with the
// B-TID, over keep-alive HTTP to an in-process BSF) beside the bare TLS-PSK handshakes per second the
// device then runs with the NAF (Node server and client, PSK-AES128-CBC-SHA256, no resumption), in the
// same run, alternating rounds; the ratio is the median of the per-round ratios. `pnpm bench`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { httpEdge } from '@m2msec/binding-http';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore, type Store } from '@m2msec/store';
import {
  bootstrap,
  createBsf,
  GBA_TLS_PSK_CIPHERS,
  gateNafHandshakes,
  NafKeyCache,
  nafTlsPskOptions,
  Usim,
  ubRoutes,
} from '../src/index.js';

const ROUND_MS = Number(process.env.BENCH_MS ?? 1000);
const ROUNDS = 4;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const DEVICES = 64;

const dir = mkdtempSync(join(tmpdir(), 'gba-bench-'));
createKeyFile(join(dir, 'kek'));
const se = await openSoftwareSecureEnvironment({ path: join(dir, 'keystore'), keyFile: join(dir, 'kek') });
const kek = await se.generateKey({ algorithm: 'AES', length: 32, usages: ['encrypt'] });

async function startBsf(store: Store) {
  const bsf = createBsf({ store, se, kek, bsfDomain: 'bsf.bench.example.com' });
  const devices = [];
  for (let i = 0; i < DEVICES; i++) {
    const s = { impi: `bench-${i}@ims.example.com`, k: randomBytes(16), op: randomBytes(16) };
    await bsf.subscribers.provision(s);
    devices.push({ impi: s.impi, usim: new Usim({ k: s.k, op: s.op }) });
  }
  const server = http.createServer({ keepAlive: true }, httpEdge(ubRoutes(bsf), { prefix: '/bsf' }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bsf`;
  return { server, url, devices };
}

async function bootstrapsPerSecond(target: Awaited<ReturnType<typeof startBsf>>, agent: http.Agent): Promise<number> {
  let n = 0;
  let next = 0;
  const end = performance.now() + ROUND_MS;
  const worker = async (w: number) => {
    while (performance.now() < end) {
      // Each worker owns a disjoint slice of devices, so no two runs of one device overlap.
      const d = target.devices[w + CONCURRENCY * (next++ % (DEVICES / CONCURRENCY))]!;
      const s = await bootstrap({ url: target.url, impi: d.impi, usim: d.usim, agent });
      s.destroy();
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  return (n * 1000) / (performance.now() - t0);
}

const psk = randomBytes(32);
const identity = `${randomBytes(16).toString('base64')}@bsf.bench.example.com`;
const pskServer = tls.createServer(
  { ciphers: GBA_TLS_PSK_CIPHERS, maxVersion: 'TLSv1.2', pskCallback: (_s, id) => (id === identity ? psk : null) },
  (s) => {
    s.on('error', () => undefined);
    s.end();
  },
);
pskServer.on('tlsClientError', () => undefined);
await new Promise<void>((r) => pskServer.listen(0, '127.0.0.1', r));
const pskPort = (pskServer.address() as AddressInfo).port;

// The same handshake against a NAF behind the handshake gate, the key already in its cache (this case
// measures the gate's JS stream in the data path, not the Zn: the cache is filled once, in process).
const cache = new NafKeyCache({
  zn: {
    fetchKsNaf: async (btid) => ({
      btid,
      impi: 'bench@ims.example.com',
      nafFqdn: 'maf.example.com',
      ksNaf: Buffer.from(psk),
      bootstrapTime: new Date(),
      keyExpiry: new Date(Date.now() + 3600_000),
    }),
  },
});
await cache.prefetch(identity);
const gatedTls = tls.createServer(nafTlsPskOptions(cache), (s) => {
  s.on('error', () => undefined);
  s.end();
});
gatedTls.on('tlsClientError', () => undefined);
const gate = gateNafHandshakes(gatedTls, cache);
await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
const gatePort = (gate.address() as AddressInfo).port;

function handshake(port = pskPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(
      {
        host: '127.0.0.1',
        port,
        ciphers: GBA_TLS_PSK_CIPHERS,
        maxVersion: 'TLSv1.2',
        pskCallback: () => ({ identity, psk }),
        checkServerIdentity: () => undefined,
      },
      () => {
        s.destroy();
        resolve();
      },
    );
    s.on('error', reject);
  });
}

async function handshakesPerSecond(port = pskPort): Promise<number> {
  let n = 0;
  const end = performance.now() + ROUND_MS;
  const worker = async () => {
    while (performance.now() < end) {
      await handshake(port);
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (n * 1000) / (performance.now() - t0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => x.toFixed(0).padStart(8);

const memoryStore = await openSqliteStore({ file: ':memory:' });
const fileStore = await openSqliteStore({ file: join(dir, 'bsf.sqlite') });
const targets = [
  { name: 'GBA bootstrap, SQLite in memory', bsf: await startBsf(memoryStore) },
  { name: 'GBA bootstrap, SQLite file (fsync per commit)', bsf: await startBsf(fileStore) },
];
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

console.log(`rounds of ${ROUND_MS} ms x ${ROUNDS}, ${CONCURRENCY} concurrent clients, one process\n`);
await handshakesPerSecond(); // warm-up
for (const t of targets) await bootstrapsPerSecond(t.bsf, agent);
const base: number[] = [];
const gated: number[] = [];
const results = targets.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  base.push(await handshakesPerSecond());
  gated.push(await handshakesPerSecond(gatePort));
  for (const [i, t] of targets.entries()) results[i]!.push(await bootstrapsPerSecond(t.bsf, agent));
}
const baseline = median(base);
console.log(`${'case'.padEnd(48)}    ops/s   vs baseline`);
console.log(`${'bare TLS-PSK handshake (baseline)'.padEnd(48)} ${fmt(baseline)}   1`);
console.log(
  `${'TLS-PSK handshake via the NAF gate (key cached)'.padEnd(48)} ${fmt(median(gated))}   ${median(gated.map((x, r) => x / base[r]!)).toFixed(3)}`,
);
for (const [i, t] of targets.entries()) {
  const ratios = results[i]!.map((x, r) => x / base[r]!);
  console.log(`${t.name.padEnd(48)} ${fmt(median(results[i]!))}   ${median(ratios).toFixed(3)}`);
}

agent.destroy();
for (const t of targets) {
  t.bsf.server.closeAllConnections();
  t.bsf.server.close();
}
pskServer.close();
gate.close();
await memoryStore.close();
await fileStore.close();
await se.close();
rmSync(dir, { recursive: true, force: true });
