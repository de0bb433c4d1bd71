// The MEF process serving EST (mounted at /.well-known/est, TS-0003 8.3.6.2) to independent clients:
// curl with the device's bootstrap certificate (certificate-based RSPF, RFC 7030 3.3.2) and
// openssl s_client with Kpm (certificate-less TLS, RFC 7030 3.3.3); openssl checks what it issued.
// Then the certificate-based RSPF end to end with m2msec-enrol: mutual-TLS MEF Handshake, EST on the
// same session, certificate + trust anchor + keys stored in one provisioning session.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEnrolmentSet, currentEnrolment, fetchCredentials, targetPsk } from '@m2msec/rspf';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Processes on a shared 2-core machine: generous per-test time.
vi.setConfig({ testTimeout: 120_000 });

import { dist, MEF_FQDN, type MefProcess, run, startMefProcess, tmp } from './helpers.js';
import { type MefPki, makePki, ok } from './pki.js';

const dir = tmp('m2msec-mef-est-');
/** A key as an owner-only file: keys never go on a command line (issue 12 item 8). */
const secretFile = (name: string, hex: string): string => {
  writeFileSync(join(dir, name), hex, { mode: 0o600 });
  return join(dir, name);
};
const AE_SAN = 'https://m2msec.org/Cdevice0001';
const kpm = randomBytes(32).toString('hex');
let pki: MefPki;
let mef: MefProcess;
let certPort: number;
let pskPort: number;

const pem = (b64: string) =>
  `-----BEGIN PKCS7-----\n${b64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;

function csr(name: string, san: string): { der: Buffer; key: string } {
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
    `/CN=${name}`,
    '-addext',
    `subjectAltName=${san}`,
    '-outform',
    'DER',
  ]);
  return { der, key };
}

const curl = (path: string, extra: string[] = []) =>
  run('curl', [
    '-sS',
    '--cacert',
    pki.tlsRoot,
    '--cert',
    pki.deviceCert,
    '--key',
    pki.deviceKey,
    '--resolve',
    `${MEF_FQDN}:${certPort}:127.0.0.1`,
    '-w',
    '\n%{http_code}',
    ...extra,
    `https://${MEF_FQDN}:${certPort}${path}`,
  ]);

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
      est: { enabled: true, caSubject: 'CN=m2msec test MEF CA', channelBinding: 'if-present' },
    }),
  );
  mef = await startMefProcess({ M2MSEC_MEF_CONFIG: config });
  certPort = Number(new URL(mef.urls.certificate!).port);
  pskPort = Number(new URL(mef.urls.psk!).port);
  const common = {
    targets: [{ targetId: '/id-in', suid: 22 }],
    enrolmentExpirySeconds: 3600,
    certificateEnrolment: true,
    subjectAltNames: [AE_SAN],
  };
  expect(
    (
      await mef.admin('PUT', `/admin/enrolees/certificate/${encodeURIComponent(pki.deviceSan)}`, {
        enroleeId: 'Cdevice0001',
        ...common,
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await mef.admin('PUT', '/admin/enrolees/psk/kpm-est-1', {
        kpm,
        enroleeId: 'Cdevice0002',
        ...common,
        subjectAltNames: ['https://m2msec.org/Cdevice0002'],
      })
    ).status,
  ).toBe(200);
}, 90_000);

afterAll(() => mef?.stop());

describe('EST through the MEF process', () => {
  it('curl (client certificate) fetches /cacerts and enrols with /simpleenroll; openssl verifies the certificate', async () => {
    const ca = await curl('/.well-known/est/cacerts');
    const [caBody, caStatus] = [
      ca.stdout.slice(0, ca.stdout.lastIndexOf('\n')),
      ca.stdout.slice(ca.stdout.lastIndexOf('\n') + 1),
    ];
    expect(caStatus, ca.stderr).toBe('200');
    const caPem = ok('openssl', ['pkcs7', '-print_certs'], pem(caBody)).toString();
    writeFileSync(join(dir, 'mef-ca.pem'), caPem);

    const { der } = csr('ae1', `URI:${AE_SAN}`);
    writeFileSync(join(dir, 'ae1.b64'), der.toString('base64'));
    const r = await curl('/.well-known/est/simpleenroll', [
      '-H',
      'Content-Type: application/pkcs10',
      '--data-binary',
      `@${join(dir, 'ae1.b64')}`,
    ]);
    const status = r.stdout.slice(r.stdout.lastIndexOf('\n') + 1);
    expect(status, r.stdout + r.stderr).toBe('200');
    const certPem = ok(
      'openssl',
      ['pkcs7', '-print_certs'],
      pem(r.stdout.slice(0, r.stdout.lastIndexOf('\n'))),
    ).toString();
    writeFileSync(join(dir, 'ae1.pem'), certPem);
    expect(ok('openssl', ['verify', '-CAfile', join(dir, 'mef-ca.pem'), join(dir, 'ae1.pem')]).toString()).toContain(
      ': OK',
    );
    expect(
      ok('openssl', ['x509', '-in', join(dir, 'ae1.pem'), '-noout', '-ext', 'subjectAltName']).toString(),
    ).toContain(`URI:${AE_SAN}`);
  });

  it('refuses a CSR naming an identity the enrolee was not granted, and a client without a registered bootstrap credential', async () => {
    const { der } = csr('bad', 'URI:https://m2msec.org/Csomeoneelse');
    writeFileSync(join(dir, 'bad.b64'), der.toString('base64'));
    const r = await curl('/.well-known/est/simpleenroll', [
      '-H',
      'Content-Type: application/pkcs10',
      '--data-binary',
      `@${join(dir, 'bad.b64')}`,
    ]);
    expect(Number(r.stdout.slice(r.stdout.lastIndexOf('\n') + 1))).toBeGreaterThanOrEqual(400);
    // No client certificate: the mutual-TLS handshake itself fails.
    const anon = await run('curl', [
      '-sS',
      '--cacert',
      pki.tlsRoot,
      '--resolve',
      `${MEF_FQDN}:${certPort}:127.0.0.1`,
      `https://${MEF_FQDN}:${certPort}/.well-known/est/cacerts`,
    ]);
    expect(anon.code).not.toBe(0);
  });

  it('openssl s_client with Kpm (certificate-less TLS-PSK) enrols with /simpleenroll', async () => {
    const { der } = csr('ae2', 'URI:https://m2msec.org/Cdevice0002');
    const body = der.toString('base64');
    const request = [
      'POST /.well-known/est/simpleenroll HTTP/1.1',
      `Host: ${MEF_FQDN}`,
      'Content-Type: application/pkcs10',
      `Content-Length: ${body.length}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n');
    const r = await run(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${pskPort}`, '-psk', kpm, '-psk_identity', 'kpm-est-1', '-tls1_2', '-quiet'],
      {
        input: request,
      },
    );
    expect(r.stdout, r.stderr).toMatch(/^HTTP\/1\.1 200/);
    const b64 = r.stdout.split('\r\n\r\n').slice(1).join('').trim();
    const certPem = ok('openssl', ['pkcs7', '-print_certs'], pem(b64)).toString();
    writeFileSync(join(dir, 'ae2.pem'), certPem);
    expect(
      ok('openssl', ['x509', '-in', join(dir, 'ae2.pem'), '-noout', '-ext', 'subjectAltName']).toString(),
    ).toContain('URI:https://m2msec.org/Cdevice0002');
  });
});

describe('certificate-based RSPF (8.3.2.2) with m2msec-enrol', () => {
  it('bootstrap certificate -> mutual-TLS MEF Handshake -> EST on the same session -> certificate, trust anchor and Kpsa stored atomically', async () => {
    const seDir = join(dir, 'device-se');
    const r = await run(process.execPath, [
      join(dist, 'enrol.js'),
      'cert',
      '--mef',
      `https://127.0.0.1:${certPort}`,
      '--mef-fqdn',
      MEF_FQDN,
      '--cert',
      pki.deviceCert,
      '--key',
      pki.deviceKey,
      '--ca',
      pki.tlsRoot,
      '--se-dir',
      seDir,
      '--san',
      AE_SAN,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.certificate).toBe(true);
    const se = await openSoftwareSecureEnvironment({
      path: join(seDir, 'keystore.json'),
      keyFile: join(seDir, 'keystore.key'),
    });
    try {
      expect(await checkEnrolmentSet(se)).toEqual([]);
      const m = await currentEnrolment(se);
      expect(m.keID).toBe(out.keID);
      expect(m.enroleeID).toBe('Cdevice0001');
      const cert = Buffer.from((await se.readCredential(m.certificate!))!);
      const ta = Buffer.from((await se.readCredential(m.trustAnchors[0]!))!);
      writeFileSync(join(dir, 'rspf-cert.der'), cert);
      writeFileSync(join(dir, 'rspf-ta.der'), ta);
      ok('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'rspf-ta.der'), '-out', join(dir, 'rspf-ta.pem')]);
      ok('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'rspf-cert.der'), '-out', join(dir, 'rspf-cert.pem')]);
      expect(
        ok('openssl', ['verify', '-CAfile', join(dir, 'rspf-ta.pem'), join(dir, 'rspf-cert.pem')]).toString(),
      ).toContain(': OK');
      // The certified key is the SE's: the certificate's public key is the SE key's.
      const spki = Buffer.from(await se.getPublicKey('device/certificate-key'));
      const certSpki = ok('openssl', ['x509', '-in', join(dir, 'rspf-cert.pem'), '-noout', '-pubkey']).toString();
      expect(certSpki.replace(/-----[^-]+-----|\s/g, '')).toBe(spki.toString('base64'));
      expect(readFileSync(join(seDir, 'keystore.json'), 'utf8')).not.toContain(kpm);
    } finally {
      await se.close();
    }
    const recs = (await mef.admin('GET', '/admin/enrolments?enroleeId=Cdevice0001')).body as Array<{
      keId: string;
      state: string;
      certificateSha256?: string;
    }>;
    const rec = recs.find((x) => x.keId === out.keID);
    expect(rec?.state).toBe('complete');
    expect(rec?.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('/fetchCredentials by a certificate-authenticated Enrolment Target', () => {
  it('a target proven by its certificate SAN fetches the key of a grant naming it; another originator is refused', async () => {
    expect((await mef.admin('PUT', '/admin/targets/%2Fid-mn', { certificateSan: pki.deviceSan })).status).toBe(200);
    const kpm2 = randomBytes(32).toString('hex');
    await mef.admin('PUT', '/admin/enrolees/psk/kpm-for-mn', {
      kpm: kpm2,
      enroleeId: 'Cmnsensor',
      targets: [{ targetId: '/id-mn', suid: 22 }],
      enrolmentExpirySeconds: 3600,
    });
    const seDir = join(dir, 'mn-device');
    const r = await run(process.execPath, [
      join(dist, 'enrol.js'),
      'psk',
      '--mef',
      mef.urls.psk!,
      '--mef-fqdn',
      MEF_FQDN,
      '--kpm-id',
      'kpm-for-mn',
      '--kpm-file',
      secretFile('kpm2.hex', kpm2),
      '--se-dir',
      seDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const keId = JSON.parse(r.stdout).keID;
    const se = await openSoftwareSecureEnvironment({
      path: join(seDir, 'keystore.json'),
      keyFile: join(seDir, 'keystore.key'),
    });
    const device = await targetPsk(se, await currentEnrolment(se), '/id-mn');
    await se.close();
    const source = {
      mefUrl: `https://127.0.0.1:${certPort}`,
      mefFqdn: MEF_FQDN,
      credential: {
        kind: 'certificate' as const,
        cert: readFileSync(pki.deviceCert),
        key: readFileSync(pki.deviceKey),
        trustAnchors: [readFileSync(pki.tlsRoot)],
      },
      targetId: '/id-mn',
    };
    const fetched = await fetchCredentials(source, keId, 22);
    expect(Buffer.from(fetched.key).equals(Buffer.from(device.key))).toBe(true);
    await expect(fetchCredentials({ ...source, targetId: '/id-in' }, keId, 22)).rejects.toThrow(
      /does not authenticate/,
    );
  });
});
