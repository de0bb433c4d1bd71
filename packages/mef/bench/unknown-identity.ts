// Unknown psk_identity handshakes against the MEF's PSK listener with 10,000 stored Kpm, beside handshakes with
// a known identity, in the same run. Before the per-identity directory every miss unsealed the whole table,
// so an attacker's unknown identities cost the MEF far more than real clients did; now a miss costs one
// keyed read in the background and the ratio (unknown / known attempts per second) stays >= 1.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { httpEdge } from '@m2msec/binding-http';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore } from '@m2msec/store';
import { openKeyVault, startMef } from '../src/index.js';
import type { EnroleeRecord } from '../src/store/records.js';

const MS = Number(process.env.BENCH_MS ?? 3000);
const STORED = Number(process.env.BENCH_STORED_PSKS ?? 10_000);
const CONCURRENCY = 4;
const CIPHERS = 'PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256';

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
  console.log(`${name.padEnd(48)} ${r.toFixed(1).padStart(9)} attempts/s  (${n})`);
  return r;
}

export async function unknownIdentityBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-mef-bench-psk-'));
  const keyFile = join(dir, 'mef.key');
  createKeyFile(keyFile);
  const se = await openSoftwareSecureEnvironment({ path: join(dir, 'mef.json'), keyFile });
  const store = await openSqliteStore({ file: join(dir, 'mef.db') });
  // 10k enrolees written in one transaction (putEnrolee would fsync each).
  const vault = await openKeyVault(se);
  const known = randomBytes(32);
  const records: EnroleeRecord[] = [];
  for (let i = 0; i < STORED; i++) {
    const id = `kpm-${i}@mef.m2msec.org`;
    records.push({
      principal: `psk:${id}`,
      enroleeId: `C${i}`,
      targets: [],
      enrolmentExpirySeconds: 3600,
      createdAt: Date.now(),
      sealedKpm: await vault.seal('Kpm', id, i === 0 ? known : randomBytes(32)),
    });
  }
  await store.transaction(async (tx) => {
    const c = tx.collection<EnroleeRecord>('mef-enrolees');
    for (const r of records) await c.put(r.principal, r);
  });
  const mef = await startMef({
    edge: httpEdge,
    fqdn: 'mef.m2msec.org',
    store,
    se,
    psk: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'bench' },
    notifyTargets: false,
  });
  const port = Number(new URL(mef.urls.psk!).port);
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
  console.log(`\nunknown psk_identity at ${STORED} stored PSKs, concurrency ${CONCURRENCY}, ${MS} ms per case`);
  if (!(await handshake('kpm-0@mef.m2msec.org', known))) throw new Error('the known identity does not handshake');
  const knownRate = await rate('known identity (full handshake)', () => handshake('kpm-0@mef.m2msec.org', known));
  const unknownRate = await rate('unknown identity, a new one each attempt', () =>
    handshake(`attacker-${randomBytes(8).toString('hex')}@mef.m2msec.org`, randomBytes(32)),
  );
  const again = await rate('known identity, after the attack', () => handshake('kpm-0@mef.m2msec.org', known));
  console.log(`ratio unknown / known: ${(unknownRate / knownRate).toFixed(2)} (target >= 1)`);
  console.log(`ratio known after / before the attack: ${(again / knownRate).toFixed(2)}`);
  await mef.close();
  await store.close();
  await se.close();
}
