// Full TLS handshakes per second: each SAEF server configuration against a bare Node TLS server of
// the same kind, in the same run, alternating rounds (median ratio). Client and server share this
// process; no session resumption (every handshake is full). `pnpm bench` in packages/saef.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync, writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectionOptions, connect, createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import { openSqliteStore } from '@m2msec/store';
import { TestCa } from '@m2msec/test-support';
import {
  acceptDerivedKeySession,
  certificateClientOptions,
  certificateServerOptions,
  DerivedKeyResourceServer,
  DerivedKeyTrustAnchor,
  pskClientOptions,
  pskIdentityOf,
  pskServerOptions,
  verifyCertificateSession,
} from '../src/index.js';
import { benchSharedWindow } from './shared-window.js';

const ROUND_MS = 1000;
const ROUNDS = 5;
const CONCURRENCY = 4;

async function serve(options: TlsOptions, onSecure: (s: TLSSocket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(options, (s) => {
    onSecure(s);
    s.on('error', () => undefined);
    s.end();
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

function handshake(port: number, opts: () => ConnectionOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ...opts() }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

async function rate(port: number, opts: () => ConnectionOptions): Promise<number> {
  let n = 0;
  const end = performance.now() + ROUND_MS;
  const worker = async () => {
    while (performance.now() < end) {
      await handshake(port, opts);
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (n * 1000) / (performance.now() - t0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function compare(
  name: string,
  bare: [number, () => ConnectionOptions],
  saef: [number, () => ConnectionOptions],
  target: number,
) {
  await rate(bare[0], bare[1]);
  await rate(saef[0], saef[1]); // warm-up
  const b: number[] = [];
  const s: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const rb = await rate(bare[0], bare[1]);
    const rs = await rate(saef[0], saef[1]);
    b.push(rb);
    s.push(rs);
    ratios.push(rs / rb);
  }
  const r = median(ratios);
  console.log(
    `${name.padEnd(12)} bare ${median(b).toFixed(0).padStart(6)} hs/s   saef ${median(s).toFixed(0).padStart(6)} hs/s   ratio ${r.toFixed(2)} (target >= ${target}) ${r >= target ? 'ok' : 'BELOW TARGET'}`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-saef-bench-'));
  const key = randomBytes(32);
  const identity = 'kpsa-bench@mef.m2msec.org';
  const keys = new Map([[identity, key]]);
  const tls12psk: TlsOptions = { ciphers: 'PSK-AES128-CBC-SHA256', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };

  // PSK: a bare server returning one constant key vs the SAEF PSK configuration with a lookup.
  const barePsk = await serve({ ...tls12psk, pskCallback: () => key }, () => undefined);
  const saefPsk = await serve(
    pskServerOptions({ resolve: (id) => keys.get(id), tls13: false }),
    (s) => void pskIdentityOf(s),
  );
  const pskClient = () => ({ ...pskClientOptions({ identity, key }), ciphers: 'PSK-AES128-CBC-SHA256' });
  await compare('PSK', [barePsk.port, pskClient], [saefPsk.port, pskClient], 0.6);

  // DerivedKey: identities from a TA; the RS parses, checks the window and derives in the callback, then
  // on completion checks again, appends to the journal (group commit) and moves the window.
  const store = await openSqliteStore({ file: join(dir, 'dk.db') });
  const ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key,
    state: store.collection('ta'),
    authorize: () => true,
  });
  const rs = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key }],
    state: store.collection('dk'),
    journalPath: join(dir, 'dk.journal'),
  });
  const grants: Array<{ identity: string; key: Buffer }> = [];
  for (let i = 0; i < 40_000; i++) grants.push(await ta.issue('Cbench'));
  let next = 0;
  // check() in the pskCallback (no state change), accept() once the handshake completed (the window
  // moves only after proof of possession; the journal append happens there).
  const saefDk = await serve(
    pskServerOptions({
      resolve: (id) => {
        const r = rs.check(id);
        return r.ok ? r.key : undefined;
      },
      tls13: false,
    }),
    (s) => {
      if (!acceptDerivedKeySession(rs, s)?.ok) throw new Error('DerivedKey session not accepted');
    },
  );
  const dkClient = () => {
    const g = grants[next++]!;
    return { ...pskClientOptions({ identity: g.identity, key: g.key }), ciphers: 'PSK-AES128-CBC-SHA256' };
  };
  const bareDkClient = () => {
    const g = grants[0]!;
    return { ...pskClientOptions({ identity: g.identity, key }), ciphers: 'PSK-AES128-CBC-SHA256' };
  };
  await compare('DerivedKey', [barePsk.port, bareDkClient], [saefDk.port, dkClient], 0.6);
  // The handshake appends to the journal without a sync (journal.ts: group commit, requests wait for
  // it); this disk's sync-write latency, which handshakes no longer pay one by one, for context.
  const probe = openSync(
    join(dir, 'probe.journal'),
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC,
  );
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) writeSync(probe, `A ta1 ${i}\n`);
  closeSync(probe);
  const us = (((performance.now() - t0) * 1000) / 200).toFixed(0);
  console.log(`             (a synchronous stable-storage append on this disk: ${us} us)`);
  await rs.close();
  await store.close();

  // mTLS: bare requestCert + CA vs the SAEF configuration plus the clause 10.1 profile and SAN binding.
  const ca = new TestCa('bench', { root: dir });
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cbench' });
  const crl = ca.crl().pem;
  const tls12cert: TlsOptions = { ciphers: 'ECDHE-ECDSA-AES128-SHA256', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  const bareCert = await serve(
    {
      ...tls12cert,
      cert: server.cert,
      key: server.key,
      ca: [ca.cert],
      crl: [crl],
      requestCert: true,
      rejectUnauthorized: true,
    },
    () => undefined,
  );
  const ctx = { spId: 'm2msec.org', inCseId: '/id-in' };
  const saefCert = await serve(
    {
      ...certificateServerOptions({
        cert: server.cert,
        key: server.key,
        trustAnchors: [ca.cert],
        crls: [crl],
        tls13: false,
      }),
    },
    (s) => void verifyCertificateSession(s, ctx),
  );
  const certClient = () => ({
    ...certificateClientOptions({
      cert: ae.cert,
      key: ae.key,
      trustAnchors: [ca.cert],
      servername: 'id-in.m2msec.org',
      tls13: false,
    }),
  });
  await compare('mTLS', [bareCert.port, certClient], [saefCert.port, certClient], 0.7);

  for (const s of [barePsk, saefPsk, saefDk, bareCert, saefCert]) s.server.close();

  await benchSharedWindow();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
