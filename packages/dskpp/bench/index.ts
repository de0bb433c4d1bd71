// DSKPP 4-pass sessions per second, stateful vs stateless server, measured in the same run.
// One session = client hello, server hello, client nego, server finished (both ends' crypto and
// XML), in process (no HTTP, no SE writes), so the difference is the server's state handling:
// a Map put/get vs AES-GCM sealing/opening of the SessionID plus the one-time-use guard.
// Rounds alternate the cases; the ratio printed is the median of the per-round ratios.
import { randomBytes } from 'node:crypto';
import { fourPassFinish, fourPassHello, fourPassNego } from '../src/four-pass/client.js';
import { DskppServer, MemoryClientRegistry } from '../src/index.js';

const MS = Number(process.env.BENCH_MS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const URL_S = 'https://mef.example/dskpp';
const record = {
  clientId: 'C-bench',
  authenticationCode: new Uint8Array(randomBytes(20)),
  sharedKey: { name: 'K-bench', key: new Uint8Array(randomBytes(16)) },
  device: { manufacturer: 'iana.32473', serialNo: 'bench' },
};
const creds = { ...record, serverUrl: URL_S, device: record.device };

function server(mode: 'stateful' | 'stateless'): DskppServer {
  return new DskppServer({
    mode,
    serverUrl: URL_S,
    serverId: 'mef.example',
    clients: new MemoryClientRegistry([record]),
    // Discards keys so memory stays flat over the run (the store is not what is measured).
    keys: { save: async () => undefined },
    stateKeys: [{ id: 1, key: new Uint8Array(randomBytes(32)) }],
  });
}

async function session(s: DskppServer): Promise<void> {
  const hello = await s.handle(fourPassHello(creds));
  const { negoXml, pending } = fourPassNego(creds, hello.body);
  const fin = await s.handle(negoXml);
  if (fin.status !== 'Success') throw new Error(`session failed: ${fin.status}`);
  fourPassFinish(creds, pending, fin.body).kToken.fill(0);
}

async function measure(s: DskppServer): Promise<number> {
  const end = performance.now() + MS;
  let n = 0;
  while (performance.now() < end) {
    await session(s);
    n++;
  }
  return n / (MS / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const stateful = server('stateful');
const stateless = server('stateless');
for (let i = 0; i < 200; i++) {
  await session(stateful);
  await session(stateless);
}
const results = { stateful: [] as number[], stateless: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? (['stateful', 'stateless'] as const) : (['stateless', 'stateful'] as const);
  for (const mode of order) results[mode].push(await measure(mode === 'stateful' ? stateful : stateless));
}
const ratios = results.stateless.map((v, i) => v / (results.stateful[i] as number));
console.log(`DSKPP 4-pass sessions/s (${ROUNDS} rounds x ${MS} ms, median)`);
console.log(`  stateful  (baseline)  ${median(results.stateful).toFixed(0).padStart(7)} sessions/s`);
console.log(`  stateless             ${median(results.stateless).toFixed(0).padStart(7)} sessions/s`);
console.log(`  ratio stateless/stateful  ${median(ratios).toFixed(3)}`);
