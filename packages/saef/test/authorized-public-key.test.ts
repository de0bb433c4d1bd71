// AuthorizedPublicKeyVerifier: the checks of the handshake step (no state change) and the acceptance
// after it (the window moves), on certificates made by the openssl CLI with the MacCert extension.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuthorizedPublicKeyVerifier,
  authorizedPublicKeyCredentialId,
  issueMacCert,
  MAC_CERT_EXTENSION_OID,
  macCertOfCertificate,
} from '../src/index.js';

const kRsTa = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'm2msec-apk-'));
let n = 0;

function cert(macCert?: (spki: Buffer) => Buffer): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPath = join(dir, `k${n}.pem`);
  const certPath = join(dir, `c${n++}.pem`);
  writeFileSync(keyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const ext = macCert
    ? [
        '-addext',
        `${MAC_CERT_EXTENSION_OID}=DER:${macCert(publicKey.export({ format: 'der', type: 'spki' })).toString('hex')}`,
      ]
    : [];
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    keyPath,
    '-subj',
    '/CN=x',
    '-days',
    '1',
    ...ext,
    '-out',
    certPath,
  ]);
  return new X509Certificate(readFileSync(certPath)).raw;
}

const mc =
  (seq: bigint, taId = 'ta1', key = kRsTa) =>
  (spki: Buffer) =>
    issueMacCert(key, { taId, sequenceNumber: seq, publicKey: spki });

describe('AuthorizedPublicKeyVerifier', () => {
  it('check() changes nothing; accept() marks the sequence number; a replay is refused', () => {
    const v = new AuthorizedPublicKeyVerifier({ trustAnchors: [{ taId: 'ta1', key: kRsTa }] });
    const c = cert(mc(7n));
    expect(v.check(c).ok).toBe(true);
    expect(v.check(c).ok).toBe(true);
    const a = v.accept(c);
    expect(a.ok).toBe(true);
    expect(v.check(c)).toMatchObject({
      ok: false,
      alert: 'bad_certificate',
      reason: 'MacCert sequence number duplicate',
    });
    if (a.ok) expect(authorizedPublicKeyCredentialId(a.macCert)).toMatch(/^12-APK\.ta1\.[0-9a-f]{32}$/);
  });

  it('refuses: no MacCert, forged MAC, unknown TA (unknown_ca), another key, left of the window', () => {
    const v = new AuthorizedPublicKeyVerifier({ trustAnchors: [{ taId: 'ta1', key: kRsTa }], windowSize: 32 });
    expect(v.check(cert())).toMatchObject({ ok: false, alert: 'bad_certificate' });
    expect(v.check(cert(mc(1n, 'ta1', randomBytes(32))))).toMatchObject({ ok: false, alert: 'bad_certificate' });
    expect(v.check(cert(mc(1n, 'ta2')))).toMatchObject({ ok: false, alert: 'unknown_ca' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    expect(
      v.check(cert(() => issueMacCert(kRsTa, { taId: 'ta1', sequenceNumber: 2n, publicKey: other }))),
    ).toMatchObject({
      ok: false,
      reason: 'MacCert key is not the certificate key',
    });
    expect(v.accept(cert(mc(100n))).ok).toBe(true);
    expect(v.check(cert(mc(50n)))).toMatchObject({ ok: false, reason: 'MacCert sequence number too-old' });
  });

  it('finds the extension by its encoded OID (the 128-bit arc) and nothing else', () => {
    const c = cert(mc(3n));
    expect(macCertOfCertificate(c)?.[0]).toBe(1);
    expect(macCertOfCertificate(cert())).toBeUndefined();
    expect(() => macCertOfCertificate(Buffer.from('3003020101', 'hex'))).toThrow();
  });
});
