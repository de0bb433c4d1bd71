// DSKPP 4-pass sessions per second, measured in the same run: the stateful pre-shared-key 4-pass
// (baseline), the stateless pre-shared-key 4-pass, and the stateless public-key 4-pass (docs/dskpp.md:
// server certificate check, RSA-OAEP of R_C, server-generated K_PROV wrapped under R_C).
// One session = client hello, server hello, client nego, server finished (both ends' crypto and
// XML), in process (no HTTP, no SE writes), so the difference is the server's state handling:
// a Map put/get vs AES-GCM sealing/opening of the SessionID plus the one-time-use guard.
// Rounds alternate the cases; the ratio printed is the median of the per-round ratios.
import { randomBytes } from 'node:crypto';
import { fourPassFinish, fourPassHello, fourPassNego } from '../src/four-pass/client.js';
import { DskppServer, MemoryClientRegistry } from '../src/index.js';
import { makePki } from '../test/certs.js';

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

const pki = makePki('mef.example');
const trust = { anchors: [pki.caPem], serverName: 'mef.example' };

type Case = 'stateful' | 'stateless' | 'stateless-public-key';

function server(mode: 'stateful' | 'stateless', publicKey = false): DskppServer {
  return new DskppServer({
    mode,
    serverUrl: URL_S,
    serverId: 'mef.example',
    clients: new MemoryClientRegistry([record]),
    // Discards keys so memory stays flat over the run (the store is not what is measured).
    keys: { save: async () => undefined },
    stateKeys: [{ id: 1, key: new Uint8Array(randomBytes(32)) }],
    ...(publicKey ? { publicKeyTransport: { certificate: pki.serverCertPem, privateKey: pki.serverKeyPem } } : {}),
  });
}

async function session(s: DskppServer, profile: 'shared-key' | 'public-key' = 'shared-key'): Promise<void> {
  const c = profile === 'public-key' ? { ...creds, serverTrust: trust } : creds;
  const clientHello = fourPassHello(c, profile);
  const hello = await s.handle(clientHello);
  const { negoXml, pending } = fourPassNego(c, hello.body, profile, clientHello);
  const fin = await s.handle(negoXml);
  if (fin.status !== 'Success') throw new Error(`session failed: ${fin.status}`);
  fourPassFinish(c, pending, fin.body).kToken.fill(0);
}

// Whole sessions until MS has passed, divided by the time they really took: with the AD's PBKDF2
// (RFC 6063 3.4.1.2, 100,000 iterations on each end) a session takes tens of milliseconds, and a
// count over a fixed window would be quantised.
async function measure(s: DskppServer, profile: 'shared-key' | 'public-key'): Promise<number> {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < MS) {
    await session(s, profile);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const servers: Record<Case, [DskppServer, 'shared-key' | 'public-key']> = {
  stateful: [server('stateful'), 'shared-key'],
  stateless: [server('stateless'), 'shared-key'],
  'stateless-public-key': [server('stateless', true), 'public-key'],
};
const cases = Object.keys(servers) as Case[];
for (let i = 0; i < 5; i++) for (const c of cases) await session(...servers[c]);
const results: Record<Case, number[]> = { stateful: [], stateless: [], 'stateless-public-key': [] };
for (let r = 0; r < ROUNDS; r++) {
  // rotate the order so no case always runs first
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(r + k) % cases.length] as Case;
    results[c].push(await measure(...servers[c]));
  }
}
const ratio = (c: Case) => median(results[c].map((v, i) => v / (results.stateful[i] as number)));
console.log(`DSKPP 4-pass sessions/s (${ROUNDS} rounds x ${MS} ms, median)`);
console.log(`  stateful pre-shared key (baseline)  ${median(results.stateful).toFixed(1).padStart(7)} sessions/s`);
console.log(`  stateless pre-shared key            ${median(results.stateless).toFixed(1).padStart(7)} sessions/s`);
console.log(
  `  stateless public key (RSA-2048)     ${median(results['stateless-public-key']).toFixed(1).padStart(7)} sessions/s`,
);
console.log(`  ratio stateless/stateful              ${ratio('stateless').toFixed(3)}`);
console.log(`  ratio stateless public key/stateful   ${ratio('stateless-public-key').toFixed(3)}`);
