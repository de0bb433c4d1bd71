// Unknown psk_identity handshakes against the IN-CSE's PSK listener code (pskAssociationFramework and its
// identity router) with 10,000 stored Kpsa and 10,000 held MAF Kc, beside handshakes with a known
// identity, in the same run (issue 11 item 4). An attacker's unknown identities must cost no more than
// real clients' handshakes: a miss is one map read (and, for a trusted MAF's form, at most one background
// retrieval per identity), never a scan or an unsealing of stored keys. Target: unknown / known >= 1.
//
// The Kpsa are held as sensitive-data's CredentialStore holds them once opened (an identity -> key map
// behind CredentialStorePskDirectory's index); filling a software SE with 10k keys one import at a time
// rewrites its keystore each time, so the bench does not build one (the router test counts that an unknown
// identity unseals nothing from a real CredentialStore). The MAF keys are in the real MafKeyCache.
// Usage: pnpm --filter @m2msec/security-association bench  (BENCH_MS per case, BENCH_STORED_PSKS)
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { formatKcKeyIdentifier } from '@m2msec/crypto';
import { MafKeyCache } from '@m2msec/saef';
import { type PskDirectory, pskAssociationFramework, SecurityAssociationRegistry } from '../src/index.js';

const MS = Number(process.env.BENCH_MS ?? 2000);
const STORED = Number(process.env.BENCH_STORED_PSKS ?? 10_000);
const CONCURRENCY = 4;
const CIPHERS = 'PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256';
const idContext = { spId: 'm2msec.org', cseId: '/id-in' };

async function rate(name: string, attempt: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const end = Date.now() + MS;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await attempt();
        n++;
      }
    }),
  );
  const r = n / (Number(process.hrtime.bigint() - t0) / 1e9);
  console.log(`${name.padEnd(52)} ${r.toFixed(1).padStart(9)} attempts/s  (${n})`);
  return r;
}

const keys = new Map<string, Buffer>();
for (let i = 0; i < STORED; i++) keys.set(`kpsa-${i}@mef.m2msec.org`, randomBytes(32));
const kpsa: PskDirectory = {
  lookup: (identity) => {
    const key = keys.get(identity);
    return key && { key: Buffer.from(key) };
  },
};
let retrievals = 0;
const maf = new MafKeyCache({
  mafFqdns: ['maf.m2msec.org'],
  // The MAF knows none of the attacker's identifiers (answers after a loopback-like delay).
  source: {
    retrieve: async () => {
      retrievals++;
      await new Promise((r) => setTimeout(r, 1));
      return undefined;
    },
  },
});
for (let i = 0; i < STORED; i++)
  maf.deliver(formatKcKeyIdentifier(randomBytes(16), 'maf.m2msec.org'), {
    kc: randomBytes(32),
    expiresAt: Date.now() + 3_600_000,
  });

const registry = new SecurityAssociationRegistry();
const framework = pskAssociationFramework({ registry, idContext, kpsa, maf });
const server = createServer(framework.tlsOptions, (_req, res) => res.end());
server.on('secureConnection', framework.onSecureConnection);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as AddressInfo;

const handshake = (identity: string, psk: Buffer) =>
  new Promise<boolean>((resolve) => {
    const s = connect({
      host: '127.0.0.1',
      port,
      ciphers: CIPHERS,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      checkServerIdentity: () => undefined,
      pskCallback: () => ({ psk, identity }),
    });
    s.once('secureConnect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

const knownId = `kpsa-${STORED >> 1}@mef.m2msec.org`;
const knownKey = keys.get(knownId)!;
if (!(await handshake(knownId, knownKey))) throw new Error('the known identity does not handshake');
// Warm-up (JIT, TLS session machinery) on both paths before anything is measured.
for (let i = 0; i < 100; i++) {
  await handshake(knownId, knownKey);
  await handshake(`warm-${i}@mef.m2msec.org`, knownKey);
}
console.log(
  `unknown psk_identity at ${STORED} stored Kpsa + ${STORED} MAF Kc, concurrency ${CONCURRENCY}, ${MS} ms per case`,
);
const known = await rate('known KpsaID (full handshake)', () => handshake(knownId, knownKey));
const unknownKpsa = await rate('unknown KpsaID, a new one each attempt', () =>
  handshake(`attacker-${randomBytes(8).toString('hex')}@mef.m2msec.org`, randomBytes(32)),
);
const unknownMaf = await rate('unknown Key Identifier of the trusted MAF, new each', () =>
  handshake(formatKcKeyIdentifier(randomBytes(16), 'maf.m2msec.org'), randomBytes(32)),
);
const again = await rate('known KpsaID, after the attack', () => handshake(knownId, knownKey));
// Known is measured before and after the attack cases; the ratios use their mean.
const knownMean = (known + again) / 2;
console.log(`ratio unknown KpsaID / known: ${(unknownKpsa / knownMean).toFixed(2)} (target >= 1)`);
console.log(`ratio unknown MAF identifier / known: ${(unknownMaf / knownMean).toFixed(2)} (target >= 1)`);
console.log(`ratio known after / before the attack: ${(again / known).toFixed(2)}`);
console.log(`MAF retrievals started by the attack: ${retrievals} (one per new identifier, bounded in flight)`);
server.close();
maf.clear();
