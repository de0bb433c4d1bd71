// /serverkeygen with the private key returned encrypted (RFC 7030 4.4.1.1 / 4.4.1.2 / 4.4.2): CMS
// SignedData (made with the CA key) inside an EnvelopedData to the client's TLS certificate key or under
// a pre-shared key. curl carries the request, `openssl cms -decrypt` opens the envelope, `openssl cms
// -verify` checks the generator's signature against the EST CA, and openssl checks the key against the
// certificate.
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, type EnrolmentRequest, type IssuedCertificate } from '../src/index.js';
import {
  curl,
  makePki,
  ok,
  opensslPrintCerts,
  type Pki,
  type RunningServer,
  startCertServer,
  writeTemp,
} from './helpers.js';

const SAN = 'https://m2m.example.com/Cae-device-0001';
const KEK_ID = Buffer.from('kek-device-0001');
const KEK = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
let pki: Pki;
let s: RunningServer;
const issued: IssuedCertificate[] = [];

beforeAll(async () => {
  pki = await makePki();
  s = await startCertServer(pki, {
    authorize: (r: EnrolmentRequest) =>
      r.clientIdentity.kind === 'certificate' ? { outcome: 'allow', holder: 'device' } : 'deny',
    channelBinding: 'off',
    recordIssued: async (i) => {
      issued.push(i);
    },
    // The pre-shared key-encryption key of this client, by its identifier.
    serverKeygenSharedKey: (id, identity) =>
      identity.kind === 'certificate' && Buffer.from(id).equals(KEK_ID) ? KEK : undefined,
  });
});
afterAll(async () => {
  await s?.close();
  await pki?.cleanup();
});

async function request(
  keyEncryption?: { kind: 'symmetric' | 'asymmetric'; keyIdentifier: Uint8Array },
  smimeCapabilities?: readonly string[],
) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await createCsr({
    key: keys,
    subjectAltName: [{ type: 'uri', value: SAN }],
    ...(keyEncryption ? { keyEncryption } : {}),
    ...(smimeCapabilities ? { smimeCapabilities } : {}),
  });
  return curl(
    [
      '--cacert',
      writeTemp(pki.dir, 'tls-root.pem', pki.tlsRootPem),
      '--cert',
      writeTemp(pki.dir, 'device.pem', pki.deviceCertPem),
      '--key',
      writeTemp(pki.dir, 'device.key', pki.deviceKeyPem),
      '-H',
      'Expect:',
      '-H',
      'Content-Type: application/pkcs10',
      '--data-binary',
      '@-',
      `${s.url}/serverkeygen`,
    ],
    Buffer.from(csr).toString('base64'),
  );
}

function parts(r: { headers: string; body: Buffer }) {
  const boundary = /boundary=([^\r\n;]+)/i.exec(r.headers)?.[1] ?? '';
  return r.body
    .toString('latin1')
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => ({ head: p.slice(0, p.indexOf('\r\n\r\n')), body: p.slice(p.indexOf('\r\n\r\n') + 4) }));
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  if (n < 0x100) return Buffer.of(0x81, n);
  return Buffer.of(0x82, n >> 8, n & 0xff);
}

/**
 * openssl cms -decrypt output: the SignedData SEQUENCE (the envelope's content type is id-signedData).
 * Wrapped in a ContentInfo, `openssl cms -verify` checks it against the EST CA and yields its content,
 * the AsymmetricKeyPackage.
 */
function verifySignedPackage(name: string, signedData: Buffer): Buffer {
  expect(signedData[0]).toBe(0x30);
  const oidSignedData = Buffer.from('06092a864886f70d010702', 'hex');
  const explicit = Buffer.concat([Buffer.of(0xa0), derLength(signedData.length), signedData]);
  const body = Buffer.concat([oidSignedData, explicit]);
  const contentInfo = writeTemp(pki.dir, `${name}.p7s`, Buffer.concat([Buffer.of(0x30), derLength(body.length), body]));
  expect(ok('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', contentInfo])).toMatch(
    /eContentType: .*(id-ct-KP-aKeyPackage|2\.16\.840\.1\.101\.2\.1\.2\.78\.5)/,
  );
  const out = writeTemp(pki.dir, `${name}.pkg`, '');
  ok('openssl', [
    'cms',
    '-verify',
    '-binary',
    '-inform',
    'DER',
    '-in',
    contentInfo,
    '-CAfile',
    writeTemp(pki.dir, 'ca.pem', pki.caPem),
    '-purpose',
    'any',
    '-out',
    out,
  ]);
  return readFileSync(out);
}

/** The verified AsymmetricKeyPackage -> the one OneAsymmetricKey in it, as a PKCS#8 file. */
function keyFromPackage(name: string, pkg: Buffer): string {
  expect(pkg[0]).toBe(0x30);
  const hdr = pkg[1]! < 0x80 ? 2 : 2 + (pkg[1]! & 0x7f);
  return writeTemp(pki.dir, name, pkg.subarray(hdr));
}

function checkKeyMatchesCertificate(keyFile: string, certPart: string) {
  const leaf = writeTemp(pki.dir, 'skg-leaf.pem', opensslPrintCerts(certPart));
  expect(ok('openssl', ['x509', '-in', leaf, '-noout', '-pubkey'])).toBe(
    ok('openssl', ['pkey', '-inform', 'DER', '-in', keyFile, '-pubout']),
  );
}

describe('serverkeygen with the private key encrypted', () => {
  it('to the TLS client certificate (AsymmetricDecryptKeyIdentifier): openssl cms -decrypt with the device key', async () => {
    // The key identifier as openssl reads it from the device certificate (subjectKeyIdentifier).
    const skiText = ok('openssl', [
      'x509',
      '-in',
      writeTemp(pki.dir, 'device.pem', pki.deviceCertPem),
      '-noout',
      '-ext',
      'subjectKeyIdentifier',
    ]);
    const ski = Buffer.from(skiText.split('\n')[1]!.trim().replace(/:/g, ''), 'hex');
    expect(ski.length).toBeGreaterThan(0);
    const r = await request({ kind: 'asymmetric', keyIdentifier: ski });
    expect(r.status, r.body.toString()).toBe(200);
    const [key, cert] = parts(r);
    expect(key!.head).toMatch(/content-type: application\/pkcs7-mime; smime-type=server-generated-key/i);
    const env = writeTemp(pki.dir, 'skg-asym.p7m', Buffer.from(key!.body.replace(/\s+/g, ''), 'base64'));
    // 4.4.2: the envelope holds a SignedData, not the bare key package.
    const printed = ok('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', env]);
    expect(printed).toMatch(/contentType: pkcs7-signedData/);
    // ECDH KeyAgreeRecipientInfo with the key wrap the client offered (SMIMECapabilities, 4.4.2).
    expect(printed).toMatch(/id-aes256-wrap/);
    const out = writeTemp(pki.dir, 'skg-asym.pkg', '');
    ok('openssl', [
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      env,
      '-recip',
      writeTemp(pki.dir, 'device.pem', pki.deviceCertPem),
      '-inkey',
      writeTemp(pki.dir, 'device.key', pki.deviceKeyPem),
      '-out',
      out,
    ]);
    checkKeyMatchesCertificate(
      keyFromPackage('skg-asym.p8', verifySignedPackage('skg-asym', readFileSync(out))),
      cert!.body,
    );
    // Another key cannot open it.
    const other = ok('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    expect(() =>
      ok('openssl', [
        'cms',
        '-decrypt',
        '-inform',
        'DER',
        '-in',
        env,
        '-recip',
        writeTemp(pki.dir, 'device.pem', pki.deviceCertPem),
        '-inkey',
        writeTemp(pki.dir, 'other.key', other),
      ]),
    ).toThrow();
  });

  it('under a pre-shared key (DecryptKeyIdentifier): openssl cms -decrypt -secretkey', async () => {
    const r = await request({ kind: 'symmetric', keyIdentifier: KEK_ID });
    expect(r.status, r.body.toString()).toBe(200);
    const [key, cert] = parts(r);
    expect(key!.head).toMatch(/smime-type=server-generated-key/i);
    const env = writeTemp(pki.dir, 'skg-sym.p7m', Buffer.from(key!.body.replace(/\s+/g, ''), 'base64'));
    const out = writeTemp(pki.dir, 'skg-sym.pkg', '');
    ok('openssl', [
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      env,
      '-secretkey',
      KEK.toString('hex'),
      '-secretkeyid',
      KEK_ID.toString('hex'),
      '-out',
      out,
    ]);
    const signed = readFileSync(out);
    checkKeyMatchesCertificate(keyFromPackage('skg-sym.p8', verifySignedPackage('skg-sym', signed)), cert!.body);
    // The signature covers the key: one altered octet of the key package inside the SignedData and
    // openssl refuses it (whoever holds the key-encryption key cannot pass off a key of his own).
    const tampered = Buffer.from(signed);
    // eContentType id-ct-KP-aKeyPackage, then [0] { OCTET STRING { AsymmetricKeyPackage } }
    const pkgAt = tampered.indexOf(Buffer.from('060a6086480165020102 4e05'.replace(' ', ''), 'hex'));
    expect(pkgAt).toBeGreaterThan(0);
    expect(tampered[pkgAt + 12]).toBe(0xa0);
    tampered[pkgAt + 40]! ^= 0x01;
    expect(() => verifySignedPackage('skg-sym-tampered', tampered)).toThrow();
    const wrong = Buffer.alloc(32, 7).toString('hex');
    expect(() =>
      ok('openssl', [
        'cms',
        '-decrypt',
        '-inform',
        'DER',
        '-in',
        env,
        '-secretkey',
        wrong,
        '-secretkeyid',
        KEK_ID.toString('hex'),
      ]),
    ).toThrow();
  });

  it('needs SMIMECapabilities naming the key wrap it uses (RFC 7030 4.4.1 / 4.4.2), before any certificate is issued', async () => {
    const before = issued.length;
    const none = await request({ kind: 'symmetric', keyIdentifier: KEK_ID }, []);
    expect(none.status).toBe(400);
    expect(none.body.toString()).toMatch(/SMIMECapabilities/);
    // Only AES-128 key wrap offered: this server's KEK wrap is AES-256, which the client did not list.
    const aes128 = await request({ kind: 'symmetric', keyIdentifier: KEK_ID }, ['2.16.840.1.101.3.4.1.5']);
    expect(aes128.status).toBe(400);
    expect(aes128.body.toString()).toMatch(/2\.16\.840\.1\.101\.3\.4\.1\.45/);
    expect(issued.length).toBe(before);
    // The accepted request's envelope uses the offered algorithm.
    const good = await request({ kind: 'symmetric', keyIdentifier: KEK_ID }, ['2.16.840.1.101.3.4.1.45']);
    expect(good.status, good.body.toString()).toBe(200);
    const env = writeTemp(pki.dir, 'skg-caps.p7m', Buffer.from(parts(good)[0]!.body.replace(/\s+/g, ''), 'base64'));
    expect(ok('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', env])).toMatch(/id-aes256-wrap/);
  });

  it('refuses an identifier that names no key of this client, before any certificate is issued', async () => {
    const before = issued.length;
    const a = await request({ kind: 'asymmetric', keyIdentifier: Buffer.alloc(20, 1) });
    expect(a.status).toBe(400);
    expect(a.body.toString()).toMatch(/AsymmetricDecryptKeyIdentifier/);
    const b = await request({ kind: 'symmetric', keyIdentifier: Buffer.from('unknown-kek') });
    expect(b.status).toBe(400);
    expect(b.body.toString()).toMatch(/DecryptKeyIdentifier/);
    expect(issued.length).toBe(before);
  });
});
