// pnpm --filter @m2msec/esdata bench — ESData sign/verify and encrypt/decrypt per second, each beside bare
// jose doing the same JOSE operation in the same run (the ratio is the cost of ESData's checks: algorithm
// allowlists, key checks, kid resolution, error mapping).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { interleaved, printRows, type Row } from '@m2msec/test-support';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import { decryptCompact, encryptCompact, keyResolver, signCompact, verifyCompact } from '../src/index.js';

const BUDGET_MS = Number(process.env.BENCH_MS ?? 1000);
const con = JSON.stringify({ temperature: 21.5, unit: 'C', ts: '20261207T050000' });
const enc = new TextEncoder();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const hmac = randomBytes(32);
const kw = randomBytes(32);
const kid = '51-/id-in/Cbench';
const resolve = keyResolver([{ kid, key: ec.publicKey }]);
const hResolve = keyResolver([{ kid, key: hmac }]);
const kResolve = keyResolver([{ kid, key: kw }]);

async function pair(
  name: string,
  esdata: () => Promise<unknown>,
  baseline: string,
  bare: () => Promise<unknown>,
): Promise<Row> {
  const r = await interleaved(esdata, bare, 2 * BUDGET_MS);
  return { name, opsPerSec: r.ops, baseline, baselineOpsPerSec: r.baselineOps };
}

const rows: Row[] = [];
rows.push(
  await pair(
    'ESData JWS ES256 sign+verify',
    async () => verifyCompact(await signCompact(con, { kid, alg: 'ES256', key: ec.privateKey }), resolve),
    'jose CompactSign+compactVerify ES256',
    async () =>
      compactVerify(
        await new CompactSign(enc.encode(con)).setProtectedHeader({ alg: 'ES256', kid }).sign(ec.privateKey),
        ec.publicKey,
      ),
  ),
);
rows.push(
  await pair(
    'ESData JWS HS256 sign+verify',
    async () => verifyCompact(await signCompact(con, { kid, alg: 'HS256', key: hmac }), hResolve),
    'jose CompactSign+compactVerify HS256',
    async () =>
      compactVerify(await new CompactSign(enc.encode(con)).setProtectedHeader({ alg: 'HS256', kid }).sign(hmac), hmac),
  ),
);
rows.push(
  await pair(
    'ESData JWE A256KW+A256GCM encrypt+decrypt',
    async () => decryptCompact(await encryptCompact(con, { kid, alg: 'A256KW', key: kw }, 'A256GCM'), kResolve),
    'jose CompactEncrypt+compactDecrypt same',
    async () =>
      compactDecrypt(
        await new CompactEncrypt(enc.encode(con))
          .setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM', kid })
          .encrypt(kw),
        kw,
      ),
  ),
);
rows.push(
  await pair(
    'ESData JWE dir+A256GCM encrypt+decrypt',
    async () => decryptCompact(await encryptCompact(con, { kid, alg: 'dir', key: kw }, 'A256GCM'), kResolve),
    'jose CompactEncrypt+compactDecrypt same',
    async () =>
      compactDecrypt(
        await new CompactEncrypt(enc.encode(con)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(kw),
        kw,
      ),
  ),
);
printRows(rows);
