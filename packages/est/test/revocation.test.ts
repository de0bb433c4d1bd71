// Certificate lifecycle pieces of the EST CA (issue 12 item 6): a certificate's notAfter is cut to
// the enrolment's expiry, issued certificates name the CRL distribution point, the CA signs RFC 5280
// CRLs that openssl reads and applies (`openssl verify -crl_check`), and every issued certificate
// is recorded (serial -> holder) before it is delivered.
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalSerial,
  createCsr,
  type EnrolmentDecision,
  type GeneralName,
  type IssuedCertificate,
  issueCertificate,
  issueCrl,
  simpleEnroll,
} from '../src/index.js';
import { makePki, ok, type Pki, type RunningServer, run, startCertServer, toPem, writeTemp } from './helpers.js';

const AE: GeneralName = { type: 'uri', value: 'https://m2m.example.com/Cae-device-0001' };
let pki: Pki;

beforeAll(async () => {
  pki = await makePki();
});
afterAll(async () => {
  await pki?.cleanup();
});

function spki(): Uint8Array {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
}

const x509Text = (der: Uint8Array, name: string) =>
  ok('openssl', ['x509', '-noout', '-text', '-in', writeTemp(pki.dir, `${name}.pem`, toPem(der))]);
const opensslSerial = (der: Uint8Array, name: string) =>
  ok('openssl', ['x509', '-noout', '-serial', '-in', writeTemp(pki.dir, `${name}.pem`, toPem(der))])
    .trim()
    .replace(/^serial=/, '');
const opensslNotAfter = (der: Uint8Array, name: string) =>
  new Date(
    ok('openssl', ['x509', '-noout', '-enddate', '-in', writeTemp(pki.dir, `${name}.pem`, toPem(der))])
      .trim()
      .replace(/^notAfter=/, ''),
  );

describe('validity and distribution point of issued certificates', () => {
  it('notAfter never passes the enrolment expiry, whatever validitySeconds asks', async () => {
    const now = new Date();
    const expiry = new Date(now.getTime() + 3_600_000);
    const der = await issueCertificate(pki.ca, {
      subject: 'CN=short',
      subjectPublicKeyInfo: spki(),
      subjectAltName: [AE],
      validitySeconds: 365 * 86_400,
      notAfter: expiry,
      now,
    });
    const notAfter = opensslNotAfter(der, 'short');
    expect(notAfter.getTime()).toBeLessThanOrEqual(expiry.getTime());
    expect(notAfter.getTime()).toBeGreaterThan(expiry.getTime() - 2000);
  });

  it('an enrolment that already expired gets no certificate (403)', async () => {
    const now = new Date();
    await expect(
      issueCertificate(pki.ca, {
        subject: 'CN=late',
        subjectPublicKeyInfo: spki(),
        subjectAltName: [AE],
        notAfter: new Date(now.getTime() - 120_000),
        now,
      }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('names the CRL in cRLDistributionPoints (openssl reads it)', async () => {
    const der = await issueCertificate(pki.ca, {
      subject: 'CN=cdp',
      subjectPublicKeyInfo: spki(),
      subjectAltName: [AE],
      crlDistributionPoints: ['http://127.0.0.1:8443/crl'],
    });
    expect(x509Text(der, 'cdp')).toMatch(
      /X509v3 CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/127\.0\.0\.1:8443\/crl/,
    );
  });
});

describe('CRL (RFC 5280 5)', () => {
  it('openssl checks the signature, reads the entries and refuses exactly the revoked certificate', async () => {
    const revokedDer = await issueCertificate(pki.ca, {
      subject: 'CN=revoked',
      subjectPublicKeyInfo: spki(),
      subjectAltName: [AE],
    });
    const goodDer = await issueCertificate(pki.ca, {
      subject: 'CN=good',
      subjectPublicKeyInfo: spki(),
      subjectAltName: [AE],
    });
    const serial = opensslSerial(revokedDer, 'revoked');
    const thisUpdate = new Date(Date.now() - 60_000);
    const crl = await issueCrl(pki.ca, {
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + 3_600_000),
      crlNumber: 7n,
      revoked: [{ serialNumber: serial, revocationDate: thisUpdate, reason: 'keyCompromise' }],
    });
    const crlPath = writeTemp(pki.dir, 'mef.crl', toPem(crl, 'X509 CRL'));
    const caPath = writeTemp(pki.dir, 'ca.pem', pki.caPem);
    const text = run('openssl', ['crl', '-in', crlPath, '-noout', '-text', '-CAfile', caPath]);
    expect(text.status).toBe(0);
    expect(text.stderr).toMatch(/verify OK/);
    expect(text.stdout).toMatch(/Version 2/);
    expect(text.stdout).toMatch(/X509v3 CRL Number:\s+7/);
    expect(text.stdout).toMatch(/X509v3 Authority Key Identifier/);
    expect(text.stdout).toContain(`Serial Number: ${serial}`);
    expect(text.stdout).toMatch(/Key Compromise/);
    const verify = (der: Uint8Array, name: string) =>
      run('openssl', [
        'verify',
        '-crl_check',
        '-CAfile',
        caPath,
        '-CRLfile',
        crlPath,
        writeTemp(pki.dir, `${name}.pem`, toPem(der)),
      ]);
    const bad = verify(revokedDer, 'revoked-leaf');
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/certificate revoked/);
    expect(verify(goodDer, 'good-leaf').status).toBe(0);
  });

  it('an empty CRL is valid and openssl accepts every certificate against it', async () => {
    const now = new Date();
    const crl = await issueCrl(pki.ca, {
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 60_000),
      crlNumber: 1n,
      revoked: [],
    });
    const der = await issueCertificate(pki.ca, { subject: 'CN=e', subjectPublicKeyInfo: spki(), subjectAltName: [AE] });
    const r = run('openssl', [
      'verify',
      '-crl_check',
      '-CAfile',
      writeTemp(pki.dir, 'ca.pem', pki.caPem),
      '-CRLfile',
      writeTemp(pki.dir, 'empty.crl', toPem(crl, 'X509 CRL')),
      writeTemp(pki.dir, 'e.pem', toPem(der)),
    ]);
    expect(r.stdout).toMatch(/: OK/);
  });

  it('canonical serials compare as numbers', () => {
    expect(canonicalSerial('00ab')).toBe('AB');
    expect(() => canonicalSerial('xyz')).toThrow();
  });
});

describe('EST server: decision notAfter, distribution point and recordIssued', () => {
  let server: RunningServer;
  let decision: EnrolmentDecision = 'allow';
  const recorded: IssuedCertificate[] = [];
  let failRecord = false;
  beforeAll(async () => {
    server = await startCertServer(pki, {
      authorize: () => decision,
      crlDistributionPoints: ['http://127.0.0.1:1/crl'],
      recordIssued: async (i) => {
        if (failRecord) throw new Error('store down');
        recorded.push(i);
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function enrol() {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    return simpleEnroll(
      {
        baseUrl: server.url,
        tls: { ca: pki.tlsRootPem, cert: pki.deviceCertPem, key: pki.deviceKeyPem },
      },
      (b) => createCsr({ key: keys, subject: 'CN=d', subjectAltName: [AE], challengePassword: b }),
    );
  }

  it('issues up to the decision notAfter and records serial, holder and validity first', async () => {
    const expiry = new Date(Date.now() + 600_000);
    decision = { outcome: 'allow', notAfter: expiry, holder: 'cert:holder-1' };
    const r = await enrol();
    expect(r.status).toBe('issued');
    if (r.status !== 'issued') return;
    expect(opensslNotAfter(r.certificate, 'est-short').getTime()).toBeLessThanOrEqual(expiry.getTime());
    const rec = recorded.at(-1);
    expect(rec?.holder).toBe('cert:holder-1');
    expect(rec?.serialNumber).toBe(canonicalSerial(opensslSerial(r.certificate, 'est-short')));
    expect(rec?.notAfter.getTime()).toBe(opensslNotAfter(r.certificate, 'est-short').getTime());
    expect(x509Text(r.certificate, 'est-short')).toContain('URI:http://127.0.0.1:1/crl');
  });

  it('a certificate that could not be recorded is never delivered (500)', async () => {
    decision = 'allow';
    failRecord = true;
    try {
      await expect(enrol()).rejects.toMatchObject({ status: 500 });
    } finally {
      failRecord = false;
    }
  });
});
