// EST bench: enrolments/s over keep-alive TLS 1.2 connections (mutual TLS,
// channel binding required), client in a worker thread on the second core, beside the raw
// crypto.sign rate and the server-side steps measured alone, all in the same run.
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { httpEdge } from '@m2msec/binding-http';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  createCertificateAuthority,
  createEstServer,
  encodeCertsOnly,
  estRequestListener,
  estRoutes,
  issueCertificate,
  parseCsr,
  verifyCsrSignature,
} from '../src/index.js';

const CASE_MS = Number(process.env.BENCH_MS ?? 3000);
// 16 concurrent enrolees, each with its own keep-alive connection and one request at a time.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const pem = (der: Uint8Array, label = 'CERTIFICATE') =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

async function rate(name: string, fn: () => unknown | Promise<unknown>): Promise<number> {
  if (process.env.BENCH_E2E_ONLY && !name.startsWith('baseline')) return Number.NaN;
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < CASE_MS / 2) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  const r = n / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(52)} ${Math.round(r).toString().padStart(8)} ops/s`);
  return r;
}

const dir = mkdtempSync(join(tmpdir(), 'm2msec-est-bench-'));
const se = await openSoftwareSecureEnvironment({
  path: join(dir, 'ks.json'),
  passphrase: 'bench',
  scrypt: { N: 1024, r: 8, p: 1 },
});
const ca = await createCertificateAuthority({ se, subject: 'CN=bench CA' });
const tlsKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const tlsCert = await issueCertificate(ca, {
  subject: 'CN=localhost',
  subjectPublicKeyInfo: tlsKey.publicKey.export({ type: 'spki', format: 'der' }),
  subjectAltName: [{ type: 'dns', value: 'localhost' }],
});
const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clientCert = await issueCertificate(ca, {
  subject: 'CN=bench client',
  subjectPublicKeyInfo: client.publicKey.export({ type: 'spki', format: 'der' }),
  subjectAltName: [{ type: 'uri', value: 'https://m2m.example.com/Cae-bench-client' }],
});

const est = createEstServer({ ca, authorize: () => 'allow' });
// A dedicated EST listener, nothing in front (BENCH_EDGE=1 measures EST behind the shared HTTP edge, as the MEF serves it).
const listener = process.env.BENCH_EDGE
  ? httpEdge(estRoutes(est), { prefix: '/.well-known/est' })
  : estRequestListener(est);
const server = https.createServer(
  {
    key: tlsKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    cert: pem(tlsCert),
    ca: pem(ca.certificate),
    requestCert: true,
    rejectUnauthorized: false,
    keepAliveTimeout: 60_000,
  },
  listener,
);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;

console.log(
  `EST bench (Node ${process.version}, ${CASE_MS / 2} ms per micro case, ${CASE_MS} ms for the enrolment run)\n`,
);

// baseline and the server-side steps alone
const signKey = createPrivateKey(client.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const tbs = Buffer.alloc(300, 1);
const signRate = await rate('baseline: node crypto.sign P-256', () => sign('sha256', tbs, signKey));
const sampleCsr = await makeSampleCsr();
await rate('  parseCsr (direct DER)', () => parseCsr(sampleCsr));
await rate(
  '  pkijs CertificationRequest parse (for comparison)',
  () => new pkijs.CertificationRequest({ schema: asn1js.fromBER(sampleCsr).result }),
);
const parsed = parseCsr(sampleCsr);
await rate('  verifyCsrSignature (JWK import + verify)', () => verifyCsrSignature(parsed));
await rate('  issueCertificate (TBS DER + SE sign)', () =>
  issueCertificate(ca, {
    subject: parsed.subject,
    subjectPublicKeyInfo: parsed.subjectPublicKeyInfo,
    subjectAltName: parsed.subjectAltName,
  }),
);
const core = await rate('  whole core: parse+verify+issue+certs-only', async () => {
  const c = parseCsr(sampleCsr);
  await verifyCsrSignature(c);
  encodeCertsOnly([
    await issueCertificate(ca, {
      subject: c.subject,
      subjectPublicKeyInfo: c.subjectPublicKeyInfo,
      subjectAltName: c.subjectAltName,
    }),
  ]);
});

// end to end
const expected = Math.ceil((CASE_MS / 1000) * 8000);
const worker = new Worker(new URL('./client-worker.mjs', import.meta.url), {
  execArgv: [], // plain JS: without tsx's loader hooks, which stall a worker's top-level await
  workerData: {
    port,
    ca: pem(ca.certificate),
    cert: pem(clientCert),
    key: client.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    connections: CONNECTIONS,
    perConnection: Math.ceil(expected / CONNECTIONS),
    durationMs: CASE_MS,
  },
});
let elu = performance.eventLoopUtilization();
const result = await new Promise<{ done: number; failed: number; seconds: number; clientBusy: number }>(
  (resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`bench client exited (${code})`)));
    worker.on('message', (m) => {
      if (m.ready) {
        elu = performance.eventLoopUtilization();
        worker.postMessage('go');
      } else resolve(m);
    });
  },
);
const serverBusy = performance.eventLoopUtilization(elu).utilization;
await worker.terminate();
const enrolRate = result.done / result.seconds;
console.log(
  `${`EST simpleenroll, mTLS, ${CONNECTIONS} keep-alive connections`.padEnd(52)} ${Math.round(enrolRate).toString().padStart(8)} enrolments/s` +
    ` (${result.done} in ${result.seconds.toFixed(2)} s, ${result.failed} failed)`,
);
console.log(
  `  event-loop utilisation: server thread ${(serverBusy * 100).toFixed(0)}%, client worker ${(result.clientBusy * 100).toFixed(0)}%` +
    ` (load average ${(await import('node:os')).loadavg()[0]?.toFixed(2)} on ${(await import('node:os')).availableParallelism()} cores)`,
);
console.log(`\nratio enrolments/s : crypto.sign/s = ${(enrolRate / signRate).toFixed(3)}`);
console.log(`ratio core/s       : crypto.sign/s = ${(core / signRate).toFixed(3)}`);
if (result.failed) process.exitCode = 1;

server.closeAllConnections();
server.close();
await est.close();
await se.close();
rmSync(dir, { recursive: true, force: true });
setTimeout(() => process.exit(), 100).unref();

async function makeSampleCsr(): Promise<Uint8Array> {
  const { createCsr } = await import('../src/index.js');
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  return createCsr({
    key: keys,
    subject: 'CN=ae1',
    subjectAltName: [{ type: 'uri', value: 'https://m2m.example.com/Cae1' }],
  });
}
