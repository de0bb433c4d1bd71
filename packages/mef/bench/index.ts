// pnpm bench: enrolments per second through the MEF (Kpm -> Ke -> Kpsa: TLS-PSK MEF Handshake,
// exporter, enrolment exchange, SE provisioning session with attestation, MEF verification and
// store commit) beside the bare TLS-PSK handshakes per second they ride on, in the same run, same
// concurrency. BENCH_MS (default 3000) bounds each case.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { httpEdge } from '@m2msec/binding-http';
import { enrol } from '@m2msec/rspf';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore } from '@m2msec/store';
import { startMef } from '../src/index.js';
import { unknownIdentityBench } from './unknown-identity.js';

const MS = Number(process.env.BENCH_MS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const CIPHERS = 'PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256:PSK-AES128-CCM8';

async function measure(name: string, op: (worker: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < CONCURRENCY; i++) await op(i); // warm-up
  let n = 0;
  const end = Date.now() + MS;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (Date.now() < end) {
        await op(w);
        n++;
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = n / s;
  console.log(`${name.padEnd(48)} ${rate.toFixed(1).padStart(9)} ops/s  (${n} in ${s.toFixed(2)} s)`);
  return rate;
}

async function main(): Promise<void> {
  const kpm = randomBytes(32);
  // Baseline: a bare Node TLS-PSK server, same suites and TLS version as the MEF's listener.
  const bare = createServer(
    {
      ciphers: CIPHERS,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      pskCallback: (_s, id) => (id === 'kpm' ? kpm : null),
    },
    (s) => s.end(),
  );
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as AddressInfo).port;
  const handshake = () =>
    new Promise<void>((resolve, reject) => {
      const s = connect({
        host: '127.0.0.1',
        port: barePort,
        ciphers: CIPHERS,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        checkServerIdentity: () => undefined,
        pskCallback: () => ({ psk: kpm, identity: 'kpm' }),
      });
      s.once('secureConnect', () => {
        s.end();
        resolve();
      });
      s.once('error', reject);
    });

  const dir = mkdtempSync(join(tmpdir(), 'm2msec-mef-bench-'));
  const keyFile = join(dir, 'mef.key');
  createKeyFile(keyFile);
  const mefSe = await openSoftwareSecureEnvironment({ path: join(dir, 'mef.json'), keyFile });
  const store = await openSqliteStore({ file: join(dir, 'mef.db') });
  const mef = await startMef({
    edge: httpEdge,
    fqdn: 'mef.m2msec.org',
    store,
    se: mefSe,
    psk: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'bench' },
    notifyTargets: false,
  });
  await mef.store.putEnrolee(
    'psk:kpm',
    {
      enroleeId: 'Cbench',
      targets: [{ targetId: '/id-in', suid: 22, derivation: 'Kpsa' }],
      enrolmentExpirySeconds: 3600,
    },
    { kpm },
  );
  // One device SE per worker (each enrolment replaces the worker's previous one, atomically).
  const devices = await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const f = join(dir, `dev${w}.key`);
      createKeyFile(f);
      return openSoftwareSecureEnvironment({ path: join(dir, `dev${w}.json`), keyFile: f });
    }),
  );

  console.log(`concurrency ${CONCURRENCY}, ${MS} ms per case`);
  const base = await measure('bare TLS-PSK handshake (baseline)', () => handshake());
  const rate = await measure('enrolment Kpm -> Ke -> Kpsa (MEF, SE, attestation)', (w) =>
    enrol({
      mefUrl: mef.urls.psk!,
      mefFqdn: 'mef.m2msec.org',
      bootstrap: { kind: 'psk', kpmId: 'kpm', kpm },
      se: devices[w]!,
    }).then(() => undefined),
  );
  console.log(`ratio enrolment / bare handshake: ${(rate / base).toFixed(3)}`);

  bare.close();
  await mef.close();
  for (const d of devices) await d.close();
  await store.close();
  await mefSe.close();
}

await main();
await unknownIdentityBench();
