// EST over a GBA-derived TLS-PSK session (issue 16 item 4): a device bootstraps over the Ub, then
// enrols a certificate on the MEF's gba.est listener with psk_identity = B-TID and PSK = Ks_NAF for the
// MEF-FQDN (Node's TLS client; openssl checks the certificate). The subscriber's GUSS must list the
// MEF-FQDN, and the B-TID's Enrolee-ID must be registered with certificateEnrolment and the SAN.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { createCertificateAuthority, decodeCertsOnly } from '@m2msec/est';
import { type BootstrapSession, bootstrap, Usim, ueTlsPskOptions } from '@m2msec/gba';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEF_FQDN, makeServerCertificate, openSe, startTestMef, type TestMef, tmp } from './helpers.js';

const dir = tmp('m2msec-mef-gba-est-');
const BSF_DOMAIN = 'bsf.m2msec.org';
const SAN = 'https://m2msec.org/Cgba-device';
let t: TestMef;

beforeAll(async () => {
  makeServerCertificate(dir);
  const pem = (f: string) => readFileSync(join(dir, f));
  const ca = await createCertificateAuthority({ se: await openSe(), subject: 'CN=m2msec test EST CA' });
  t = await startTestMef({
    ca,
    channelBinding: 'off',
    gba: {
      bsfDomain: BSF_DOMAIN,
      ub: { host: '127.0.0.1', port: 0 },
      zn: {
        host: '127.0.0.1',
        port: 0,
        cert: pem('mef.pem'),
        key: pem('mef.key'),
        nafCredentials: [{ nafFqdn: 'naf.m2msec.org', credential: randomBytes(24).toString('base64url') }],
      },
      est: { host: '127.0.0.1', port: 0 },
    },
  });
  const put = await t.admin('PUT', `/admin/enrolees/certificate/${encodeURIComponent('urn:dev:gba-device')}`, {
    enroleeId: 'Cgba-device',
    targets: [],
    enrolmentExpirySeconds: 3600,
    certificateEnrolment: true,
    subjectAltNames: [SAN],
  });
  expect(put.status).toBe(200);
}, 60_000);
afterAll(() => t?.close());

async function bootstrapped(impi: string, targets: string[]): Promise<BootstrapSession> {
  const k = randomBytes(16);
  const opc = randomBytes(16);
  const put = await t.admin('PUT', `/admin/gba/subscribers/${impi}`, {
    k: k.toString('hex'),
    opc: opc.toString('hex'),
    enroleeId: 'Cgba-device',
    targets,
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return bootstrap({ url: t.mef.urls.gbaUb!, impi, usim: new Usim({ k, opc }) });
}

function csr(): string {
  const r = spawnSync('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, 'dev.key'),
    '-subj',
    '/CN=gba-device',
    '-addext',
    `subjectAltName=URI:${SAN}`,
    '-outform',
    'DER',
  ]);
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout.toString('base64');
}

function simpleenroll(session: BootstrapSession, body: string) {
  const url = new URL(t.mef.urls.gbaEst!);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        ...ueTlsPskOptions(session, MEF_FQDN),
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: `${url.pathname}/simpleenroll`,
        headers: { 'content-type': 'application/pkcs10' },
        agent: false,
      },
      (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('EST over a GBA-derived TLS-PSK session', () => {
  it('a bootstrapped device enrols with B-TID / Ks_NAF(MEF-FQDN); the first handshake waits for the key', async () => {
    const session = await bootstrapped('gba-est-1@ims.m2msec.org', [MEF_FQDN]);
    const r = await simpleenroll(session, csr());
    expect(r.status, r.body).toBe(200);
    const [cert] = decodeCertsOnly(Buffer.from(r.body.replace(/\s+/g, ''), 'base64'));
    const text = spawnSync('openssl', ['x509', '-inform', 'DER', '-noout', '-ext', 'subjectAltName'], {
      input: Buffer.from(cert!),
    }).stdout.toString();
    expect(text).toContain(`URI:${SAN}`);
  });

  it('a subscriber whose GUSS does not list the MEF-FQDN gets no TLS session', async () => {
    const session = await bootstrapped('gba-est-2@ims.m2msec.org', ['naf.m2msec.org']);
    await expect(simpleenroll(session, csr())).rejects.toThrow();
  });

  it('a wrong Ks_NAF (derived for another NAF FQDN) gets no TLS session', async () => {
    const session = await bootstrapped('gba-est-3@ims.m2msec.org', [MEF_FQDN]);
    const url = new URL(t.mef.urls.gbaEst!);
    const attempt = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          ...ueTlsPskOptions(session, 'naf.m2msec.org'),
          host: url.hostname,
          port: url.port,
          method: 'GET',
          path: `${url.pathname}/cacerts`,
          agent: false,
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    await expect(attempt).rejects.toThrow();
  });
});
