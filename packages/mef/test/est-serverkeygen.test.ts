// serverkeygen on the MEF's PSK listener (RFC 7030 3.3.3 certificate-less TLS) with the private key
// encrypted under the pre-shared key the DecryptKeyIdentifier names (4.4.1.1): the enrolee's KpmID,
// key HMAC-SHA-256(Kpm, SERVERKEYGEN_KEK_LABEL). `openssl cms -decrypt -secretkey` opens it, and
// `openssl cms -verify` checks the SignedData inside against the MEF's CA (RFC 7030 4.4.2).

import { spawnSync } from 'node:child_process';
import { createHmac, webcrypto, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { type RequestOptions, request } from 'node:https';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { createCertificateAuthority, createCsr, decodeCertsOnly } from '@m2msec/est';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVERKEYGEN_KEK_LABEL } from '../src/index.js';
import { hex, openSe, startTestMef, type TestMef, tmp } from './helpers.js';

const dir = tmp('m2msec-mef-skg-');
const SAN = 'https://m2msec.org/Cskg-device';
const kpm = Buffer.from(hex(32), 'hex');
let t: TestMef;
let caPem: string;

beforeAll(async () => {
  const ca = await createCertificateAuthority({ se: await openSe(), subject: 'CN=m2msec test EST CA' });
  caPem = new X509Certificate(Buffer.from(ca.certificate)).toString();
  t = await startTestMef({ ca, channelBinding: 'off' });
  const put = await t.admin('PUT', '/admin/enrolees/psk/kpm-skg', {
    kpm: kpm.toString('hex'),
    enroleeId: 'Cskg-device',
    targets: [],
    enrolmentExpirySeconds: 3600,
    certificateEnrolment: true,
    subjectAltNames: [SAN],
  });
  expect(put.status).toBe(200);
});
afterAll(() => t?.close());

function post(path: string, body: string, method = 'POST') {
  const url = new URL(t.mef.urls.psk!);
  return new Promise<{ status: number; contentType: string; body: Buffer }>((resolve, reject) => {
    // https passes TLS connection options such as pskCallback on to tls.connect.
    const options: RequestOptions & Pick<ConnectionOptions, 'pskCallback'> = {
      host: url.hostname,
      port: url.port,
      method,
      path,
      headers: { 'content-type': 'application/pkcs10' },
      ciphers: 'PSK-AES128-CBC-SHA256',
      maxVersion: 'TLSv1.2',
      pskCallback: () => ({ identity: 'kpm-skg', psk: kpm }),
      checkServerIdentity: () => undefined,
      agent: false,
    };
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function csr(keyIdentifier: string) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const der = await createCsr({
    key: keys,
    subjectAltName: [{ type: 'uri', value: SAN }],
    keyEncryption: { kind: 'symmetric', keyIdentifier: Buffer.from(keyIdentifier) },
  });
  return Buffer.from(der).toString('base64');
}

const openssl = (args: string[]) => spawnSync('openssl', args, { timeout: 60_000 });

describe('MEF serverkeygen with a Kpm-derived key-encryption key', () => {
  it('the envelope opens with HMAC-SHA-256(Kpm, label) under the KpmID; the key matches the certificate', async () => {
    const r = await post('/.well-known/est/serverkeygen', await csr('kpm-skg'));
    expect(r.status, r.body.toString()).toBe(200);
    const boundary = /boundary=([^;]+)/.exec(r.contentType)![1]!;
    const [keyPart, certPart] = r.body
      .toString('latin1')
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((p) => p.slice(p.indexOf('\r\n\r\n') + 4));
    writeFileSync(join(dir, 'env.der'), Buffer.from(keyPart!.replace(/\s+/g, ''), 'base64'));
    const kek = createHmac('sha256', kpm).update(SERVERKEYGEN_KEK_LABEL).digest('hex');
    const args = ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', join(dir, 'env.der')];
    const d = openssl([
      ...args,
      '-secretkey',
      kek,
      '-secretkeyid',
      Buffer.from('kpm-skg').toString('hex'),
      '-out',
      join(dir, 'pkg.der'),
    ]);
    expect(d.status, d.stderr.toString()).toBe(0);
    // The envelope holds a SignedData (content type id-signedData): wrapped in a ContentInfo, openssl
    // verifies the generator's signature against the CA and yields the AsymmetricKeyPackage.
    const signed = readFileSync(join(dir, 'pkg.der'));
    const body = Buffer.concat([
      Buffer.from('06092a864886f70d010702', 'hex'),
      Buffer.of(0xa0, 0x82, signed.length >> 8, signed.length & 0xff),
      signed,
    ]);
    writeFileSync(
      join(dir, 'signed.der'),
      Buffer.concat([Buffer.of(0x30, 0x82, body.length >> 8, body.length & 0xff), body]),
    );
    writeFileSync(join(dir, 'ca.pem'), caPem);
    const v = openssl([
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      join(dir, 'signed.der'),
      '-CAfile',
      join(dir, 'ca.pem'),
      '-purpose',
      'any',
      '-out',
      join(dir, 'verified.der'),
    ]);
    expect(v.status, v.stderr.toString()).toBe(0);
    const pkg = readFileSync(join(dir, 'verified.der'));
    writeFileSync(join(dir, 'key.der'), pkg.subarray(pkg[1]! < 0x80 ? 2 : 2 + (pkg[1]! & 0x7f)));
    const pub = openssl(['pkey', '-inform', 'DER', '-in', join(dir, 'key.der'), '-pubout', '-outform', 'DER']);
    expect(pub.status, pub.stderr.toString()).toBe(0);
    const [cert] = decodeCertsOnly(Buffer.from(certPart!.replace(/\s+/g, ''), 'base64'));
    const spki = new X509Certificate(Buffer.from(cert!)).publicKey.export({ type: 'spki', format: 'der' });
    expect(Buffer.from(pub.stdout).equals(spki)).toBe(true);
    // Kpm itself is not the key-encryption key.
    const raw = openssl([
      ...args,
      '-secretkey',
      kpm.toString('hex'),
      '-secretkeyid',
      Buffer.from('kpm-skg').toString('hex'),
    ]);
    expect(raw.status).not.toBe(0);
  });

  it('an identifier other than the session KpmID names no key: 400', async () => {
    const r = await post('/.well-known/est/serverkeygen', await csr('kpm-other'));
    expect(r.status).toBe(400);
    expect(r.body.toString()).toMatch(/DecryptKeyIdentifier/);
  });
});

describe('MEF csrattrs driven by the enrolee policy', () => {
  it('announces the subjectAltName the administrator registered for this enrolee', async () => {
    const r = await post('/.well-known/est/csrattrs', '', 'GET');
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/application\/csrattrs/);
    writeFileSync(join(dir, 'csrattrs.der'), Buffer.from(r.body.toString().replace(/\s+/g, ''), 'base64'));
    const parsed = openssl(['asn1parse', '-inform', 'DER', '-in', join(dir, 'csrattrs.der'), '-dump']);
    expect(parsed.status).toBe(0);
    const text = parsed.stdout.toString();
    expect(text).toMatch(/Extension Request/);
    expect(text).toMatch(/X509v3 Subject Alternative Name/);
    // The registered URI is the GeneralName inside that extension.
    expect(readFileSync(join(dir, 'csrattrs.der')).includes(Buffer.from(SAN))).toBe(true);
  });
});
