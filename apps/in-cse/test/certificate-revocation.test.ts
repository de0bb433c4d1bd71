// Issue 12 item 6, "Must show" for CRLs, against the processes: the MEF (apps/mef) issues EST
// certificates and publishes its CRL (GET /crl); the IN-CSE's certificate SAEF listener is fed that CRL
// by URL (fetched every second) and an openssl CA's CRL by file (re-read on change). A certificate
// revoked at the MEF, or by the openssl CA, is then refused in the handshake (curl fails; no oneM2M
// response), its live TLS session is closed, and `openssl verify -crl_check` on the MEF's published CRL
// refuses it independently. A certificate that is not revoked keeps working.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MEF_FQDN, type MefProcess, startMefProcess } from './rspf-setup.js';
import { prepareSecureInCse, runPeer, type SecureInCse } from './saef-setup.js';

vi.setConfig({ testTimeout: 120_000 });

const HOST = 'id-in.m2msec.org';
const MN_SAN = 'id-mn.id-in.m2msec.org';
const kpm = randomBytes(32).toString('hex');
let mef: MefProcess;
let s: SecureInCse;
let opensslCa: TestCa;
let dir: string;
let mefCaPath: string;
let crlUrl: string;
const est: Record<string, Issued> = {};
let fileRevoked: Issued;

const pkcs7Pem = (b64: string) =>
  `-----BEGIN PKCS7-----\n${b64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;

async function ok(cmd: string, args: string[], input = ''): Promise<string> {
  const r = await runPeer(cmd, args, input, 30_000);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** An EST request over TLS-PSK with Kpm (openssl s_client); returns the certs-only body's PEM certificates. */
async function estOverPsk(method: string, operation: string, body = ''): Promise<string> {
  const pskPort = new URL(mef.urls.psk).port;
  const request = [
    `${method} /.well-known/est/${operation} HTTP/1.1`,
    `Host: ${MEF_FQDN}`,
    ...(body ? ['Content-Type: application/pkcs10', `Content-Length: ${body.length}`] : []),
    'Connection: close',
    '',
    body,
  ].join('\r\n');
  const r = await runPeer(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${pskPort}`, '-psk', kpm, '-psk_identity', 'kpm-mn', '-tls1_2', '-quiet'],
    request,
    30_000,
  );
  expect(r.stdout, r.stderr).toMatch(/^HTTP\/1\.1 200/);
  return ok('openssl', ['pkcs7', '-print_certs'], pkcs7Pem(r.stdout.split('\r\n\r\n').slice(1).join('').trim()));
}

/** A CSR (base64 DER body) for MN_SAN and its key file. */
async function csr(name: string): Promise<{ b64: string; keyPath: string }> {
  const keyPath = `${dir}/${name}.key`;
  const pem = await ok('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${MN_SAN}`,
  ]);
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return { b64, keyPath };
}

async function enrolEst(name: string): Promise<Issued> {
  const c = await csr(name);
  const cert = await estOverPsk('POST', 'simpleenroll', c.b64);
  const certPath = `${dir}/${name}.pem`;
  writeFileSync(certPath, cert);
  return { cert, key: readFileSync(c.keyPath, 'utf8'), certPath, keyPath: c.keyPath };
}

const serialOf = async (certPath: string) =>
  (await ok('openssl', ['x509', '-in', certPath, '-noout', '-serial'])).trim().replace(/^serial=/, '');

/** curl GET of the CSEBase as the MN-CSE: returns curl's exit code and the oneM2M rsc (0: no response). */
async function curlGet(client: Issued): Promise<{ code: number | null; rsc: number; stderr: string }> {
  const r = await runPeer('curl', [
    '-sS',
    '-i',
    '--max-time',
    '10',
    '--resolve',
    `${HOST}:${s.certPort}:127.0.0.1`,
    '--cacert',
    opensslCa.certPath,
    '--cert',
    client.certPath,
    '--key',
    client.keyPath,
    `https://${HOST}:${s.certPort}/cse-in`,
    '-H',
    'X-M2M-Origin: /id-mn',
    '-H',
    `X-M2M-RI: r${Math.random().toString(36).slice(2)}`,
    '-H',
    'X-M2M-RVI: 3',
    '-H',
    'Accept: application/json',
  ]);
  return { code: r.code, rsc: Number(/x-m2m-rsc: *(\d+)/i.exec(r.stdout)?.[1] ?? 0), stderr: r.stderr };
}

/** A live keep-alive TLS session (Node's TLS client) as the MN-CSE, with one request sent on it. */
async function liveSession(
  client: Issued,
): Promise<{ socket: TLSSocket; closed: Promise<void>; get(): Promise<string> }> {
  const socket = connect({
    host: '127.0.0.1',
    port: s.certPort,
    servername: HOST,
    ca: readFileSync(opensslCa.certPath),
    cert: client.cert,
    key: client.key,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let buffer = '';
  socket.on('data', (d) => (buffer += d.toString()));
  const get = async () => {
    buffer = '';
    socket.write(
      `GET /cse-in HTTP/1.1\r\nHost: ${HOST}\r\nX-M2M-Origin: /id-mn\r\nX-M2M-RI: live${Date.now()}\r\nX-M2M-RVI: 3\r\nAccept: application/json\r\n\r\n`,
    );
    const end = Date.now() + 5000;
    while (!/x-m2m-rsc: *\d+/i.test(buffer) && !socket.destroyed && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 50));
    return buffer;
  };
  return { socket, closed, get };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

beforeAll(async () => {
  mef = await startMefProcess({ M2MSEC_MEF_CRL_PORT: '0', M2MSEC_LOG_LEVEL: 'warn' });
  crlUrl = mef.urls.crl!;
  expect(crlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crl$/);
  const put = await mef.admin('PUT', '/admin/enrolees/psk/kpm-mn', {
    kpm,
    enroleeId: '/id-mn',
    targets: [],
    enrolmentExpirySeconds: 3600,
    certificateEnrolment: true,
    subjectAltNames: [MN_SAN],
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);

  opensslCa = new TestCa('crl-in-cse');
  dir = opensslCa.dir;
  mefCaPath = `${dir}/mef-ca.pem`;
  writeFileSync(mefCaPath, await estOverPsk('GET', 'cacerts'));
  est.kept = await enrolEst('est-kept');
  est.revoked = await enrolEst('est-revoked');
  fileRevoked = opensslCa.issue({ san: `DNS:${MN_SAN}` });
  const crl = opensslCa.crl();
  const server = opensslCa.issue({ san: `DNS:${HOST}`, usage: 'server' });

  const prepared = await prepareSecureInCse({});
  const config = JSON.parse(readFileSync(prepared.configPath, 'utf8'));
  config.security.certificate = {
    host: '127.0.0.1',
    port: prepared.certPort,
    cert: server.certPath,
    key: server.keyPath,
    trustAnchors: [mefCaPath, opensslCa.certPath],
    crls: [crl.path],
    crl: { url: crlUrl, refreshSeconds: 1 },
    tls13: true,
  };
  writeFileSync(prepared.configPath, JSON.stringify(config));
  s = await prepared.start();
  // The TLS listeners open after the plain one (the first CRL fetch comes first).
  for (const end = Date.now() + 30_000; ; ) {
    const up = await new Promise<boolean>((resolve) => {
      const c = netConnect(s.certPort, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      }).once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > end) throw new Error(`certificate listener never opened: ${s.cse.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  await s?.cse.stop();
  await mef?.stop();
});

describe("the MEF's CRL at the IN-CSE's certificate listener", () => {
  it('before revocation, both EST certificates and the openssl-issued one are served', async () => {
    for (const c of [est.kept!, est.revoked!, fileRevoked]) {
      const r = await curlGet(c);
      expect(r.code, r.stderr).toBe(0);
      expect(r.rsc).toBeGreaterThan(0);
    }
  });

  it('revoked at the MEF: the live session is closed, the next handshake is refused, openssl verify -crl_check refuses it too', async () => {
    const live = await liveSession(est.revoked!);
    expect(await live.get()).toMatch(/x-m2m-rsc: *\d+/i);
    const serial = await serialOf(est.revoked!.certPath);
    const del = await mef.admin('DELETE', `/admin/certificates/${serial}`, { reason: 'keyCompromise' });
    expect(del.status, JSON.stringify(del.body)).toBe(200);

    // The IN-CSE fetches the CRL within its refresh period and tears the session down.
    expect(await within(live.closed, 10_000)).not.toBe('timeout');
    expect(live.socket.destroyed).toBe(true);

    const r = await curlGet(est.revoked!);
    expect(r.code).not.toBe(0);
    expect(r.rsc).toBe(0);
    // Independent check on what the MEF publishes.
    const crlDer = Buffer.from(await (await fetch(crlUrl)).arrayBuffer());
    writeFileSync(`${dir}/mef.crl.der`, crlDer);
    await ok('openssl', ['crl', '-inform', 'DER', '-in', `${dir}/mef.crl.der`, '-out', `${dir}/mef.crl.pem`]);
    const v = await runPeer('openssl', [
      'verify',
      '-crl_check',
      '-CAfile',
      mefCaPath,
      '-CRLfile',
      `${dir}/mef.crl.pem`,
      est.revoked!.certPath,
    ]);
    expect(v.code).not.toBe(0);
    expect(v.stdout + v.stderr).toMatch(/certificate revoked/);
    const good = await runPeer('openssl', [
      'verify',
      '-crl_check',
      '-CAfile',
      mefCaPath,
      '-CRLfile',
      `${dir}/mef.crl.pem`,
      est.kept!.certPath,
    ]);
    expect(good.stdout).toMatch(/: OK/);
    // The other EST certificate is untouched.
    const kept = await curlGet(est.kept!);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.rsc).toBeGreaterThan(0);
  });

  it('a CRL file replaced on disk is re-read: its revoked certificate loses its live session and its next handshake', async () => {
    const live = await liveSession(fileRevoked);
    expect(await live.get()).toMatch(/x-m2m-rsc: *\d+/i);
    opensslCa.revoke(fileRevoked.certPath);
    opensslCa.crl();
    expect(await within(live.closed, 10_000)).not.toBe('timeout');
    const r = await curlGet(fileRevoked);
    expect(r.code).not.toBe(0);
    expect(r.rsc).toBe(0);
  });
});
