// pnpm --filter @m2msec/crypto bench — derivations/s, CMAC/s and replay-window checks/s, each beside a
// baseline measured in the same run (bare HMAC-SHA-256, one bare AES-128-ECB block, a Set lookup).
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import {
  AesCmac,
  aesCmac,
  deriveKm,
  deriveKpsa,
  deriveKsNaf,
  deriveUsageConstrainedKey,
  Milenage,
  pSha256,
  ReplayWindow,
  Suid,
  tls12Prf,
} from '../src/index.js';
import { consume, opsPerSecond, printRows, type Row } from './harness.js';

const BUDGET_MS = Number(process.env.BENCH_MS ?? 1000);
const rows: Row[] = [];

const key32 = randomBytes(32);
const key16 = randomBytes(16);
const block = randomBytes(16);
const msg64 = randomBytes(64);
const data = randomBytes(64);

function compare(name: string, fn: () => void, baseline: string, base: () => void): void {
  const baselineOpsPerSec = opsPerSecond(base, BUDGET_MS);
  const ops = opsPerSecond(fn, BUDGET_MS);
  rows.push({ name, opsPerSec: ops, baseline, baselineOpsPerSec });
}

// --- clause 10.3 KDFs and P_SHA256 against one bare HMAC-SHA-256 over 64 bytes
const bareHmac = () => consume(createHmac('sha256', key32).update(data).digest());
compare(
  'Km (clause 10.3.2)',
  () => consume(deriveKm(key32, 'MAF-1.maf.example.com')),
  'createHmac(sha256) 64 B',
  bareHmac,
);
compare(
  'Kpsa (clause 10.3.3)',
  () => consume(deriveKpsa(key32, '/in-cse/Cae-sensor-01')),
  'createHmac(sha256) 64 B',
  bareHmac,
);
compare(
  'usage-constrained key (clause 10.3.7)',
  () => consume(deriveUsageConstrainedKey(key32, Suid.RspfSaef, 'in-cse.sp.example.com')),
  'createHmac(sha256) 64 B',
  bareHmac,
);
compare('P_SHA256 32 B (DerivedKey K)', () => consume(pSha256(key32, data, 32)), 'createHmac(sha256) 64 B', bareHmac);
compare(
  'TLS 1.2 PRF 100 B',
  () => consume(tls12Prf(key32, 'test label', data, 100)),
  'createHmac(sha256) 64 B',
  bareHmac,
);
const rand = randomBytes(16);
compare(
  'Ks_NAF (TS 33.220 B.3)',
  () => consume(deriveKsNaf({ ks: key32, rand, impi: 'user@ims.example.org', nafFqdn: 'maf.example.com' })),
  'createHmac(sha256) 64 B',
  bareHmac,
);

// --- CMAC against one bare AES-128-ECB block encryption (new cipher each time, like a one-shot MAC)
const bareAes = () => {
  const c = createCipheriv('aes-128-ecb', key16, null).setAutoPadding(false);
  consume(c.update(block));
  c.final();
};
compare(
  'aesCmac one-shot, 16 B message',
  () => consume(aesCmac(key16, block)),
  'AES-128-ECB one block (one-shot)',
  bareAes,
);
compare(
  'aesCmac one-shot, 64 B message',
  () => consume(aesCmac(key16, msg64)),
  'AES-128-ECB one block (one-shot)',
  bareAes,
);
const cmac = new AesCmac(key16);
compare(
  'AesCmac keyed .mac(), 64 B message',
  () => consume(cmac.mac(msg64)),
  'AES-128-ECB one block (one-shot)',
  bareAes,
);
const milenage = new Milenage(key16, randomBytes(16));
compare(
  'Milenage f2345 (RES, CK, IK, AK)',
  () => consume(milenage.f2345(rand)),
  'AES-128-ECB one block (one-shot)',
  bareAes,
);

// --- replay window against a Set lookup
const window = new ReplayWindow();
for (let i = 0; i < 1000; i++) if (i % 3 !== 0) window.accept(i);
const set = new Set<number>();
for (let i = 0; i < 1000; i++) if (i % 3 !== 0) set.add(i);
let probe = 0;
compare(
  'ReplayWindow.check (number, in window)',
  () => {
    probe = (probe + 1) & 63;
    consume(window.check(936 + probe));
  },
  'Set<number>.has',
  () => {
    probe = (probe + 1) & 63;
    consume(set.has(936 + probe));
  },
);
let seq = 10_000;
const moving = new ReplayWindow();
let setSeq = 10_000;
const movingSet = new Set<number>();
compare(
  'ReplayWindow.check + accept (increasing)',
  () => {
    seq += 1;
    if (moving.check(seq).ok) moving.accept(seq);
  },
  'Set<number>.has + add',
  () => {
    setSeq += 1;
    if (!movingSet.has(setSeq)) movingSet.add(setSeq);
    if (movingSet.size > 4096) movingSet.clear();
  },
);

printRows(rows);
