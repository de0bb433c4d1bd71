// SE throughput against bare node:crypto measured in the same run. `pnpm bench`
import { createHmac, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initSoftHsm2Token,
  openPkcs11SecureEnvironment,
  openSoftwareSecureEnvironment,
  SOFTHSM2_LIBRARY,
} from '../src/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);

async function measure(name: string, op: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op();
  let n = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await op();
    n += 50;
  }
  const rate = n / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(44)} ${Math.round(rate).toString().padStart(8)} ops/s`);
  return rate;
}

const data = Buffer.from('oneM2M request primitive to be signed'.repeat(4));
const dir = mkdtempSync(join(tmpdir(), 'm2msec-se-bench-'));
const sw = await openSoftwareSecureEnvironment({
  path: join(dir, 'ks.json'),
  passphrase: 'bench',
  scrypt: { N: 2 ** 12, r: 8, p: 1 },
  audit: () => {},
});
const { configPath } = initSoftHsm2Token({ dir, label: 'bench', soPin: '12345678', pin: '1234' });
process.env.SOFTHSM2_CONF = configPath;
const hsm = await openPkcs11SecureEnvironment({
  library: SOFTHSM2_LIBRARY,
  tokenLabel: 'bench',
  pin: '1234',
  audit: () => {},
});

console.log(`ECDSA P-256 / SHA-256 sign (${SECONDS}s per case)`);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const base = await measure('node crypto.sign (KeyObject, baseline)', () =>
  nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
);
const swEc = await sw.generateKey({ algorithm: 'EC-P256', usages: ['sign'] });
const swSign = await measure('software SE sign', () => sw.sign(swEc, data));
const hsmEc = await hsm.generateKey({ algorithm: 'EC-P256', usages: ['sign'] });
const hsmSign = await measure('PKCS#11 SE sign (SoftHSM2)', () => hsm.sign(hsmEc, data));
console.log(
  `ratio software SE / crypto.sign: ${(swSign / base).toFixed(2)}; PKCS#11 SE / crypto.sign: ${(hsmSign / base).toFixed(2)}`,
);

console.log('\nHMAC-SHA-256 over 148 bytes');
const raw = Buffer.alloc(32, 7);
const hbase = await measure('node createHmac (baseline)', () => createHmac('sha256', raw).update(data).digest());
const swH = await sw.importKey({ algorithm: 'HMAC', usages: ['mac'] }, raw);
const swMac = await measure('software SE mac', () => sw.mac(swH, data));
const hsmH = await hsm.importKey({ algorithm: 'HMAC', usages: ['mac'] }, raw);
const hsmMac = await measure('PKCS#11 SE mac (SoftHSM2)', () => hsm.mac(hsmH, data));
console.log(
  `ratio software SE / createHmac: ${(swMac / hbase).toFixed(2)}; PKCS#11 SE / createHmac: ${(hsmMac / hbase).toFixed(2)}`,
);

await sw.close();
await hsm.close();
