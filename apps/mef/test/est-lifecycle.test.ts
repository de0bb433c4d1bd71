// Issue 12 item 6 against the MEF process: EST certificates live no longer than the enrolee's
// Enrolment Expiry, the MEF publishes a CRL (GET /crl, DER application/pkix-crl) that `openssl verify
// -crl_check` applies, and re-enrolment is bound to the enrolee recorded for the certificate's serial:
// with two enrolees granted the same name, revoking one stops its certificates from renewing (main
// renewed them through the other enrolee's grant). Independent clients: openssl s_client (TLS-PSK with
// Kpm) to enrol, curl with the EST certificate to re-enrol.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MEF_FQDN, type MefProcess, run, startMefProcess, tmp } from './helpers.js';
import { type MefPki, makePki, ok } from './pki.js';

vi.setConfig({ testTimeout: 120_000 });

const dir = tmp('m2msec-mef-lifecycle-');
const SAN = 'https://m2msec.org/Cshared0001';
const EXPIRY = 900;
const kpmA = randomBytes(32).toString('hex');
const kpmB = randomBytes(32).toString('hex');
let pki: MefPki;
let mef: MefProcess;
let certPort: number;
let pskPort: number;
let crlUrl: string;

const pkcs7Pem = (b64: string) =>
  `-----BEGIN PKCS7-----\n${b64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;

function csr(name: string): { b64: string; key: string } {
  const key = join(dir, `${name}.key`);
  const der = ok('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-subj',
    '/CN=shared',
    '-addext',
    `subjectAltName=URI:${SAN}`,
    '-outform',
    'DER',
  ]);
  return { b64: der.toString('base64'), key };
}

/** Certificate PEM path from a certs-only body. */
function saveCert(name: string, b64: string): string {
  const path = join(dir, `${name}.pem`);
  writeFileSync(path, ok('openssl', ['pkcs7', '-print_certs'], pkcs7Pem(b64)));
  return path;
}

/** simpleenroll over TLS-PSK with Kpm (openssl s_client); returns the certificate and its key. */
async function enrolWithKpm(name: string, kpmId: string, kpm: string): Promise<{ cert: string; key: string }> {
  const c = csr(name);
  const request = [
    'POST /.well-known/est/simpleenroll HTTP/1.1',
    `Host: ${MEF_FQDN}`,
    'Content-Type: application/pkcs10',
    `Content-Length: ${c.b64.length}`,
    'Connection: close',
    '',
    c.b64,
  ].join('\r\n');
  const r = await run(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${pskPort}`, '-psk', kpm, '-psk_identity', kpmId, '-tls1_2', '-quiet'],
    { input: request },
  );
  expect(r.stdout, r.stderr).toMatch(/^HTTP\/1\.1 200/);
  return { cert: saveCert(name, r.stdout.split('\r\n\r\n').slice(1).join('').trim()), key: c.key };
}

/** simplereenroll with curl authenticated by the current certificate. */
async function reenrol(name: string, current: { cert: string; key: string }) {
  const c = csr(name);
  writeFileSync(join(dir, `${name}.b64`), c.b64);
  const r = await run('curl', [
    '-sS',
    '--cacert',
    pki.tlsRoot,
    '--cert',
    current.cert,
    '--key',
    current.key,
    '--resolve',
    `${MEF_FQDN}:${certPort}:127.0.0.1`,
    '-H',
    'Content-Type: application/pkcs10',
    '--data-binary',
    `@${join(dir, `${name}.b64`)}`,
    '-w',
    '\n%{http_code}',
    `https://${MEF_FQDN}:${certPort}/.well-known/est/simplereenroll`,
  ]);
  const at = r.stdout.lastIndexOf('\n');
  const status = Number(r.stdout.slice(at + 1));
  const body = r.stdout.slice(0, at);
  return { status, body, renewed: status === 200 ? { cert: saveCert(name, body), key: c.key } : undefined };
}

/** openssl's serial, as the MEF keys it (upper-case hex, no leading zeros). */
const serialOf = (certPath: string) =>
  BigInt(
    `0x${ok('openssl', ['x509', '-in', certPath, '-noout', '-serial'])
      .toString()
      .trim()
      .replace(/^serial=/, '')}`,
  )
    .toString(16)
    .toUpperCase();
const notAfterOf = (certPath: string) =>
  new Date(
    ok('openssl', ['x509', '-in', certPath, '-noout', '-enddate'])
      .toString()
      .trim()
      .replace(/^notAfter=/, ''),
  );

/** The MEF's CRL, fetched as a relying party would, then `openssl verify -crl_check` on a certificate. */
async function verifyAgainstCrl(certPath: string) {
  const res = await fetch(crlUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pkix-crl');
  const crlDer = Buffer.from(await res.arrayBuffer());
  writeFileSync(join(dir, 'mef.crl.der'), crlDer);
  ok('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'mef.crl.der'), '-out', join(dir, 'mef.crl.pem')]);
  return run('openssl', [
    'verify',
    '-crl_check',
    '-CAfile',
    join(dir, 'mef-ca.pem'),
    '-CRLfile',
    join(dir, 'mef.crl.pem'),
    certPath,
  ]);
}

let certA: { cert: string; key: string };
let certB: { cert: string; key: string };

beforeAll(async () => {
  pki = makePki(dir, MEF_FQDN);
  const config = join(dir, 'mef.json');
  writeFileSync(
    config,
    JSON.stringify({
      certificate: {
        host: '127.0.0.1',
        port: 0,
        cert: pki.serverCert,
        key: pki.serverKey,
        trustAnchors: [pki.mfrRoot],
      },
      crl: { host: '127.0.0.1', port: 0 },
      est: {
        enabled: true,
        caSubject: 'CN=m2msec lifecycle MEF CA',
        channelBinding: 'if-present',
        crlDistributionPoints: ['http://127.0.0.1:9/crl'],
      },
    }),
  );
  mef = await startMefProcess({ M2MSEC_MEF_CONFIG: config });
  certPort = Number(new URL(mef.urls.certificate!).port);
  pskPort = Number(new URL(mef.urls.psk!).port);
  crlUrl = mef.urls.crl!;
  const grant = {
    targets: [{ targetId: '/id-in', suid: 22 }],
    enrolmentExpirySeconds: EXPIRY,
    certificateEnrolment: true,
    subjectAltNames: [SAN],
  };
  // Two enrolees granted the same name (a replaced device, or an administrator's overlap).
  expect(
    (await mef.admin('PUT', '/admin/enrolees/psk/kpm-A', { kpm: kpmA, enroleeId: 'CdevA', ...grant })).status,
  ).toBe(200);
  expect(
    (await mef.admin('PUT', '/admin/enrolees/psk/kpm-B', { kpm: kpmB, enroleeId: 'CdevB', ...grant })).status,
  ).toBe(200);
  const caDer = ok('curl', [
    '-sS',
    '--cacert',
    pki.tlsRoot,
    '--cert',
    pki.deviceCert,
    '--key',
    pki.deviceKey,
    '--resolve',
    `${MEF_FQDN}:${certPort}:127.0.0.1`,
    `https://${MEF_FQDN}:${certPort}/.well-known/est/cacerts`,
  ]);
  writeFileSync(join(dir, 'mef-ca.pem'), ok('openssl', ['pkcs7', '-print_certs'], pkcs7Pem(caDer.toString())));
  certA = await enrolWithKpm('devA', 'kpm-A', kpmA);
  certB = await enrolWithKpm('devB', 'kpm-B', kpmB);
}, 120_000);

afterAll(() => mef?.stop());

describe('EST certificate validity', () => {
  it("notAfter is no later than the enrolee's Enrolment Expiry (not 365 days)", () => {
    const latest = Date.now() + EXPIRY * 1000;
    expect(notAfterOf(certA.cert).getTime()).toBeLessThanOrEqual(latest);
    expect(notAfterOf(certB.cert).getTime()).toBeLessThanOrEqual(latest);
  });

  it('issued certificates name the configured CRL distribution point', () => {
    expect(ok('openssl', ['x509', '-in', certA.cert, '-noout', '-text']).toString()).toContain(
      'URI:http://127.0.0.1:9/crl',
    );
  });

  it('the MEF records each certificate with the enrolee that was allowed it', async () => {
    const list = (await mef.admin('GET', '/admin/certificates')).body as Array<{
      serialNumber: string;
      enroleeId: string;
    }>;
    expect(list.find((c) => c.serialNumber === serialOf(certA.cert))?.enroleeId).toBe('CdevA');
    expect(list.find((c) => c.serialNumber === serialOf(certB.cert))?.enroleeId).toBe('CdevB');
  });
});

describe('EST certificates on the MEF certificate listener', () => {
  it('reach EST only: an EST certificate is no bootstrap credential or Enrolment Target (403)', async () => {
    for (const path of ['/fetchCredentials/abc@mef.m2msec.org/22', '/.well-known/m2msec-enrolment']) {
      const r = await run('curl', [
        '-sS',
        '--cacert',
        pki.tlsRoot,
        '--cert',
        certA.cert,
        '--key',
        certA.key,
        '--resolve',
        `${MEF_FQDN}:${certPort}:127.0.0.1`,
        '-w',
        '\n%{http_code}',
        `https://${MEF_FQDN}:${certPort}${path}`,
      ]);
      expect(r.stdout.slice(r.stdout.lastIndexOf('\n') + 1), r.stderr).toBe('403');
      expect(r.stdout).toContain('EST re-enrolment only');
    }
  });
});

describe('re-enrolment bound to the certificate holder', () => {
  it("a renewal with enrolee A's certificate is recorded for A, not for another enrolee with the same grant", async () => {
    const r = await reenrol('devA-renewed', certA);
    expect(r.status, r.body).toBe(200);
    const list = (await mef.admin('GET', '/admin/certificates')).body as Array<{
      serialNumber: string;
      enroleeId: string;
      holder: string;
      operation: string;
    }>;
    const rec = list.find((c) => c.serialNumber === serialOf(r.renewed!.cert));
    expect(rec).toMatchObject({ enroleeId: 'CdevA', holder: 'psk:kpm-A', operation: 'simplereenroll' });
    certA = r.renewed!;
  });

  it("revoking enrolee A revokes its certificates: A's certificate cannot renew through B's grant", async () => {
    expect((await mef.admin('DELETE', '/admin/enrolees/psk/kpm-A')).status).toBe(200);
    const r = await reenrol('devA-after-revocation', certA);
    expect(r.status, r.body).toBe(403);
    expect(r.body).toMatch(/revoked/);
    // B is untouched.
    const b = await reenrol('devB-renewed', certB);
    expect(b.status, b.body).toBe(200);
    certB = b.renewed!;
  });

  it("the revoked certificate is on the MEF's CRL: openssl verify -crl_check refuses it and accepts B's", async () => {
    const a = await verifyAgainstCrl(certA.cert);
    expect(a.code).not.toBe(0);
    expect(a.stdout + a.stderr).toMatch(/certificate revoked/);
    const b = await verifyAgainstCrl(certB.cert);
    expect(b.stdout, b.stderr).toMatch(/: OK/);
  });

  it('revoking one certificate by serial puts it on the CRL and stops its re-enrolment; the admin listener serves the same CRL', async () => {
    const serial = serialOf(certB.cert);
    const del = await mef.admin('DELETE', `/admin/certificates/${serial}`, { reason: 'keyCompromise' });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(del.body).toMatchObject({ revoked: serial, reason: 'keyCompromise' });
    const v = await verifyAgainstCrl(certB.cert);
    expect(v.stdout + v.stderr).toMatch(/certificate revoked/);
    const r = await reenrol('devB-after-revocation', certB);
    expect(r.status).toBe(403);
    const viaAdmin = await fetch(`${mef.urls.admin}/crl`);
    expect(viaAdmin.status).toBe(200);
    expect(Buffer.from(await viaAdmin.arrayBuffer()).length).toBeGreaterThan(100);
  });

  it('bad revocation requests: unknown serial 404, malformed serial or reason 400, no token 401', async () => {
    expect((await mef.admin('DELETE', '/admin/certificates/ABCDEF0123')).status).toBe(404);
    expect((await mef.admin('DELETE', '/admin/certificates/not-hex')).status).toBe(400);
    expect(
      (await mef.admin('DELETE', `/admin/certificates/${serialOf(certA.cert)}`, { reason: 'because' })).status,
    ).toBe(400);
    expect((await fetch(`${mef.urls.admin}/admin/certificates`, { method: 'GET' })).status).toBe(401);
  });
});
