// The hand-built DER (certs-only, TBSCertificate, CSR reader) cross-checked against pkijs,
// @peculiar/x509, node:crypto and openssl, plus known-answer encodings.
import { generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EstError } from '../src/errors.js';
import { issueCertificate, openCertificateAuthority, type ParsedCsr, parseCsr } from '../src/index.js';
import { decodeBase64Body } from '../src/lib/base64-body.js';
import { oid, oidToString, time } from '../src/lib/der.js';
import { p1363ToDer } from '../src/lib/ecdsa-signature.js';
import { checkNameConstraints } from '../src/lib/name-constraints.js';
import { x509 } from '../src/lib/x509.js';
import { decodeCertsOnly, encodeCertsOnly, encodeCertsOnlyWithPkijs } from '../src/pkcs7/certs-only.js';
import { makePki, ok, opensslCsr, type Pki, toPem, writeTemp } from './helpers.js';

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
});
afterAll(async () => pki?.cleanup());

const spki = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });

describe('known-answer encodings', () => {
  it('OIDs', () => {
    expect(Buffer.from(oid('1.2.840.10045.4.3.2')).toString('hex')).toBe('06082a8648ce3d040302');
    expect(Buffer.from(oid('2.5.29.17')).toString('hex')).toBe('0603551d11');
    expect(oidToString(oid('1.2.840.113549.1.9.14').subarray(2))).toBe('1.2.840.113549.1.9.14');
  });

  it('UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', () => {
    expect(Buffer.from(time(new Date('2049-12-31T23:59:59.900Z'))).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(Buffer.from(time(new Date('2050-01-01T00:00:00Z'))).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });

  it('P1363 -> DER ECDSA signatures verify under node:crypto (leading zero and high-bit r/s)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 300; i++) {
      const data = Buffer.from(`m${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify('sha256', data, publicKey, p1363ToDer(raw))).toBe(true);
    }
  });

  it('base64 bodies: line breaks accepted, anything else refused', () => {
    expect(Buffer.from(decodeBase64Body(Buffer.from('AAEC\r\nAw==\r\n'), 'x')).toString('hex')).toBe('00010203');
    expect(() => decodeBase64Body(Buffer.from('AAE'), 'x')).toThrow(EstError);
    expect(() => decodeBase64Body(Buffer.from('AA-_'), 'x')).toThrow(/base64/);
  });
});

describe('certs-only PKCS#7', () => {
  it('the direct encoding equals pkijs byte for byte, and openssl reads it', () => {
    const certs = [pki.ca.certificate, new Uint8Array(new X509Certificate(pki.deviceCertPem).raw)];
    for (const set of [certs.slice(0, 1), certs]) {
      const mine = encodeCertsOnly(set);
      expect(Buffer.from(mine).equals(Buffer.from(encodeCertsOnlyWithPkijs(set)))).toBe(true);
      expect(decodeCertsOnly(mine).map((c) => Buffer.from(c).toString('hex'))).toEqual(
        set.map((c) => Buffer.from(c).toString('hex')),
      );
      const printed = ok('openssl', ['pkcs7', '-inform', 'DER', '-print_certs'], mine);
      expect(printed.match(/BEGIN CERTIFICATE/g)).toHaveLength(set.length);
    }
  });
});

describe('CSR reader', () => {
  it('reads what @peculiar/x509 reads from an openssl CSR', () => {
    const { der } = opensslCsr(
      pki.dir,
      'r',
      '/CN=ae1/O=Example',
      'URI:https://m2m.example.com/Cae1,DNS:cse1.m2m.example.com',
      'pw-123',
    );
    const mine = parseCsr(der);
    const ref = new x509.Pkcs10CertificateRequest(der);
    expect(Buffer.from(mine.subject).equals(Buffer.from(ref.subjectName.toArrayBuffer()))).toBe(true);
    expect(Buffer.from(mine.subjectPublicKeyInfo).equals(Buffer.from(ref.publicKey.rawData))).toBe(true);
    // @peculiar/x509 keeps the signed block private; asn1js keeps each element's encoded bytes.
    const decoded = asn1js.fromBER(der).result;
    const refInfo = decoded instanceof asn1js.Sequence ? decoded.valueBlock.value[0]?.valueBeforeDecodeView : undefined;
    expect(refInfo).toBeDefined();
    expect(Buffer.from(mine.certificationRequestInfo).equals(Buffer.from(refInfo ?? []))).toBe(true);
    expect(Buffer.from(mine.signature).equals(Buffer.from(ref.signature))).toBe(true);
    const sanExt = ref.getExtension('2.5.29.17');
    const san = sanExt ? new x509.SubjectAlternativeNameExtension(sanExt.rawData) : undefined;
    expect(san?.names.items.length).toBe(2);
    expect(mine.subjectAltName).toEqual(
      san?.names.toJSON().map((n) => ({ type: n.type === 'url' ? 'uri' : n.type, value: n.value })),
    );
    const pwAttr = ref.getAttribute('1.2.840.113549.1.9.7');
    const pw = pwAttr ? new x509.ChallengePasswordAttribute(pwAttr.rawData) : undefined;
    expect(mine.challengePassword).toBe(pw?.password);
  });

  it('never fails with anything but a 400 EstError on mutated or truncated CSRs', () => {
    const { der } = opensslCsr(pki.dir, 'fuzz', '/CN=f', 'URI:https://m2m.example.com/Cae1');
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(der.length), (at, byte, cut) => {
        const m = Buffer.from(der);
        m[at] = byte;
        for (const input of [m, m.subarray(0, cut)]) {
          let parsed: ParsedCsr | undefined;
          try {
            parsed = parseCsr(input);
          } catch (e) {
            expect(e).toBeInstanceOf(EstError);
            expect((e as EstError).status).toBe(400);
          }
          if (parsed) expect(parsed.subjectAltName.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('issued certificates', () => {
  it('carry the profile: random positive serial, key ids, EKU, validity capped at the CA', async () => {
    const der = await issueCertificate(pki.ca, {
      subject: 'CN=ae9',
      subjectPublicKeyInfo: spki(),
      subjectAltName: [{ type: 'uri', value: 'https://m2m.example.com/Cae9' }],
      validitySeconds: 100 * 365 * 86_400,
    });
    const cert = new x509.X509Certificate(der);
    expect(cert.notAfter.getTime()).toBe(new Date(new X509Certificate(pki.ca.certificate).validTo).getTime());
    expect(cert.serialNumber.length).toBeLessThanOrEqual(40);
    expect(Number.parseInt(cert.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
    const caSki = new x509.X509Certificate(pki.ca.certificate).getExtension(x509.SubjectKeyIdentifierExtension);
    expect(aki?.keyId).toBe(caSki?.keyId);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      '1.3.6.1.5.5.7.3.2',
      '1.3.6.1.5.5.7.3.1',
    ]);
    expect(
      await cert.verify({ publicKey: await new x509.X509Certificate(pki.ca.certificate).publicKey.export() }),
    ).toBe(true);
    const text = ok('openssl', ['x509', '-in', writeTemp(pki.dir, 'ae9.pem', toPem(der)), '-noout', '-text']);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('TLS Web Client Authentication, TLS Web Server Authentication');
  });

  it('openssl refuses a certificate outside the CA name constraints; the CA refuses to make one', async () => {
    await expect(
      issueCertificate(pki.ca, {
        subject: 'CN=x',
        subjectPublicKeyInfo: spki(),
        subjectAltName: [{ type: 'dns', value: 'cse.other.example' }],
      }),
    ).rejects.toMatchObject({ status: 403 });
    expect(() =>
      checkNameConstraints({ type: 'uri', value: 'https://m2m.example.com.evil.net/x' }, pki.ca.nameConstraints),
    ).toThrow(/nameConstraints/);
    expect(() => checkNameConstraints({ type: 'uri', value: 'urn:dev:ops:1' }, pki.ca.nameConstraints)).toThrow(
      /nameConstraints/,
    );
    expect(() =>
      checkNameConstraints({ type: 'dns', value: 'in-cse.m2m.example.com' }, pki.ca.nameConstraints),
    ).not.toThrow();
    // independent confirmation: a CA with the same constraints made by hand signs with openssl, openssl verify refuses
    const dir = pki.dir;
    ok('openssl', [
      'req',
      '-x509',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${dir}/nc.key`,
      '-out',
      `${dir}/nc.pem`,
      '-subj',
      '/CN=nc',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
      '-addext',
      'nameConstraints=critical,permitted;URI:m2m.example.com',
    ]);
    const { der } = opensslCsr(dir, 'ncleaf', '/CN=x', 'URI:https://evil.example.net/Cae1');
    writeTemp(dir, 'ncleaf.ext', 'subjectAltName=URI:https://evil.example.net/Cae1\n');
    ok('openssl', [
      'x509',
      '-req',
      '-inform',
      'DER',
      '-in',
      writeTemp(dir, 'ncleaf.csr', der),
      '-CA',
      `${dir}/nc.pem`,
      '-CAkey',
      `${dir}/nc.key`,
      '-out',
      `${dir}/ncleaf.pem`,
      '-extfile',
      `${dir}/ncleaf.ext`,
    ]);
    const r = await import('./helpers.js').then((h) =>
      h.run('openssl', ['verify', '-CAfile', `${dir}/nc.pem`, `${dir}/ncleaf.pem`]),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/permitted subtree violation/);
  });

  it('openCertificateAuthority refuses a certificate that does not hold the SE key', async () => {
    const other = await pki.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'] });
    await expect(
      openCertificateAuthority({ se: pki.se, key: other, certificate: pki.ca.certificate }),
    ).rejects.toMatchObject({ status: 500 });
    const again = await openCertificateAuthority({ se: pki.se, key: pki.ca.key, certificate: pki.ca.certificate });
    expect(again.nameConstraints).toEqual({ permitted: { dns: ['m2m.example.com'], uri: ['m2m.example.com'] } });
    expect(pki.ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});

describe('proof of possession on both paths', () => {
  it('in the event loop and on the worker pool: good signature passes, a flipped bit fails with 400', async () => {
    const { CsrVerifyPool } = await import('../src/csr/verify-pool.js');
    const { verifyCsrSignature } = await import('../src/csr/verify-csr.js');
    const pool = new CsrVerifyPool(1);
    try {
      const { der } = opensslCsr(pki.dir, 'pop', '/CN=p', 'URI:https://m2m.example.com/Cae1');
      const bad = Buffer.from(der);
      bad[bad.length - 3]! ^= 0x01;
      for (const p of [undefined, pool]) {
        await expect(verifyCsrSignature(parseCsr(der), p)).resolves.toBeUndefined();
        await expect(verifyCsrSignature(parseCsr(bad), p)).rejects.toMatchObject({ status: 400 });
      }
      const many = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.verify(parseCsr(i % 2 ? bad : der))));
      expect(many).toEqual(Array.from({ length: 40 }, (_, i) => i % 2 === 0));
    } finally {
      await pool.close();
    }
  });
});
