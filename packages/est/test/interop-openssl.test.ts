// EST interop with no project code on the client side: openssl makes the CSRs, curl (mutual TLS)
// and openssl s_client (TLS-PSK) carry them, openssl reads and verifies what comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrolmentRequest } from '../src/index.js';
import {
  curl,
  makePki,
  ok,
  opensslCsr,
  opensslPrintCerts,
  type Pki,
  PSK_IDENTITY,
  PSK_KEY,
  type RunningServer,
  runAsync,
  startCertServer,
  startPskServer,
  writeTemp,
} from './helpers.js';

let pki: Pki;
let mtls: RunningServer;
let psk: RunningServer;
const seen: EnrolmentRequest[] = [];

// The MEF's decision: the manufacturer device may get its AE-ID, the PSK enrolee a CSE-ID.
const allowed: Record<string, string[]> = {
  'URI:urn:dev:ops:example-0001': ['URI:https://m2m.example.com/Cae-device-0001'],
  [`PSK:${PSK_IDENTITY}`]: ['DNS:mn-cse-7.m2m.example.com'],
};

function authorize(r: EnrolmentRequest) {
  seen.push(r);
  const who =
    r.clientIdentity.kind === 'psk'
      ? `PSK:${r.clientIdentity.pskIdentity}`
      : r.clientIdentity.kind === 'certificate'
        ? r.clientIdentity.subjectAltNameText
        : '';
  const may = allowed[who] ?? [];
  const ok = r.requestedSan.every((n) => may.includes(`${n.type === 'dns' ? 'DNS' : 'URI'}:${n.value}`));
  return ok ? 'allow' : 'deny';
}

beforeAll(async () => {
  pki = await makePki();
  // openssl req + curl cannot read the TLS session to bind the CSR: channel binding is checked if present.
  mtls = await startCertServer(pki, { authorize, channelBinding: 'if-present' });
  psk = await startPskServer(pki, { authorize, channelBinding: 'if-present' });
});

afterAll(async () => {
  await mtls?.close();
  await psk?.close();
  await pki?.cleanup();
});

const tlsRoot = () => writeTemp(pki.dir, 'tls-root.pem', pki.tlsRootPem);
const device = () => [
  '--cacert',
  tlsRoot(),
  '--cert',
  writeTemp(pki.dir, 'device.pem', pki.deviceCertPem),
  '--key',
  writeTemp(pki.dir, 'device.key', pki.deviceKeyPem),
];

function postCsr(op: string, csrDer: Uint8Array, extra: string[] = [], contentType = 'application/pkcs10') {
  const body = Buffer.from(csrDer).toString('base64');
  return curl(
    [
      ...device(),
      ...extra,
      '-H',
      'Expect:',
      '-H',
      `Content-Type: ${contentType}`,
      '--data-binary',
      '@-',
      `${mtls.url}/${op}`,
    ],
    body,
  );
}

describe('cacerts and csrattrs read by curl + openssl', () => {
  it('cacerts is a base64 certs-only PKCS#7 holding the CA certificate', async () => {
    const r = await curl(['--cacert', tlsRoot(), `${mtls.url}/cacerts`]);
    expect(r.status).toBe(200);
    expect(r.headers).toMatch(/content-type: application\/pkcs7-mime/i);
    expect(r.headers).toMatch(/content-transfer-encoding: base64/i);
    const pem = opensslPrintCerts(r.body);
    expect(pem).toContain('subject=CN = MEF CA, O = m2msec test');
    // the CA certificate made through the SE verifies as a self-signed trust anchor
    const caFile = writeTemp(pki.dir, 'cacerts.pem', pem);
    expect(ok('openssl', ['verify', '-CAfile', caFile, caFile])).toContain('OK');
    const text = ok('openssl', ['x509', '-in', caFile, '-noout', '-text']);
    expect(text).toMatch(
      /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:m2m\.example\.com\s+URI:m2m\.example\.com/,
    );
    expect(text).toContain('ecdsa-with-SHA256');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
  });

  it('csrattrs announces P-256, ecdsa-with-SHA256, subjectAltName and challengePassword (openssl asn1parse)', async () => {
    const r = await curl(['--cacert', tlsRoot(), `${mtls.url}/csrattrs`]);
    expect(r.status).toBe(200);
    expect(r.headers).toMatch(/content-type: application\/csrattrs/i);
    const der = Buffer.from(r.body.toString().replace(/\s+/g, ''), 'base64');
    const parsed = ok('openssl', ['asn1parse', '-inform', 'DER'], der);
    expect(parsed).toContain(':challengePassword');
    expect(parsed).toContain(':id-ecPublicKey');
    expect(parsed).toContain(':prime256v1');
    expect(parsed).toContain(':ecdsa-with-SHA256');
    expect(parsed).toContain(':X509v3 Subject Alternative Name');
  });
});

describe('simpleenroll over mutual TLS (curl + openssl)', () => {
  it('issues a certificate openssl verifies against the CA, with the SAN and the 10.1 profile', async () => {
    const { der, keyPath } = opensslCsr(pki.dir, 'ae1', '/CN=ae1', 'URI:https://m2m.example.com/Cae-device-0001');
    const r = await postCsr('simpleenroll', der);
    expect(r.status, r.body.toString()).toBe(200);
    expect(r.headers).toMatch(/content-type: application\/pkcs7-mime; smime-type=certs-only/i);
    const leafPem = opensslPrintCerts(r.body);
    const leaf = writeTemp(pki.dir, 'ae1.pem', leafPem);
    expect(ok('openssl', ['verify', '-CAfile', writeTemp(pki.dir, 'ca.pem', pki.caPem), leaf])).toMatch(/: OK/);
    const text = ok('openssl', ['x509', '-in', leaf, '-noout', '-text']);
    expect(text).toContain('URI:https://m2m.example.com/Cae-device-0001');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('Subject: CN = ae1');
    // the certificate holds the CSR's key
    const fromCert = ok('openssl', ['x509', '-in', leaf, '-noout', '-pubkey']);
    const fromKey = ok('openssl', ['pkey', '-in', keyPath, '-pubout']);
    expect(fromCert).toBe(fromKey);
    const who = seen.at(-1)?.clientIdentity;
    expect(who?.kind).toBe('certificate');
  });

  it('two enrolments get different random serials', async () => {
    const serial = async () => {
      const { der } = opensslCsr(pki.dir, 'ser', '/CN=ser', 'URI:https://m2m.example.com/Cae-device-0001');
      const r = await postCsr('simpleenroll', der);
      expect(r.status).toBe(200);
      return ok('openssl', ['x509', '-noout', '-serial'], opensslPrintCerts(r.body)).trim();
    };
    const a = await serial();
    const b = await serial();
    expect(a).not.toBe(b);
    expect(a.replace('serial=', '').length).toBeGreaterThanOrEqual(24);
  });
});

describe('simpleenroll over TLS-PSK (openssl s_client -psk)', () => {
  it('issues the CSE-ID certificate to the PSK identity', async () => {
    const { der } = opensslCsr(pki.dir, 'mn', '/CN=mn-cse-7', 'DNS:mn-cse-7.m2m.example.com');
    const body = Buffer.from(der).toString('base64');
    const request =
      `POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/pkcs10\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const r = await runAsync(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${psk.port}`,
        '-psk',
        PSK_KEY.toString('hex'),
        '-psk_identity',
        PSK_IDENTITY,
        '-tls1_2',
        '-cipher',
        'PSK-AES128-CBC-SHA256',
        '-quiet',
        '-ign_eof',
      ],
      request,
    );
    const out = r.stdout.toString('latin1');
    const sep = out.indexOf('\r\n\r\n');
    expect(out.slice(0, sep), r.stderr).toMatch(/^HTTP\/1\.1 200/);
    const leaf = writeTemp(pki.dir, 'mn.pem', opensslPrintCerts(out.slice(sep + 4)));
    expect(ok('openssl', ['verify', '-CAfile', writeTemp(pki.dir, 'ca.pem', pki.caPem), leaf])).toMatch(/: OK/);
    expect(ok('openssl', ['x509', '-in', leaf, '-noout', '-ext', 'subjectAltName'])).toContain(
      'DNS:mn-cse-7.m2m.example.com',
    );
    expect(seen.at(-1)?.clientIdentity).toEqual({ kind: 'psk', pskIdentity: PSK_IDENTITY });
  });

  it('a wrong PSK never reaches EST (handshake fails)', async () => {
    const r = await runAsync(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${psk.port}`,
        '-psk',
        'ff'.repeat(32),
        '-psk_identity',
        PSK_IDENTITY,
        '-tls1_2',
        '-cipher',
        'PSK-AES128-CBC-SHA256',
        '-quiet',
      ],
      'GET /.well-known/est/cacerts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(r.stdout.toString('latin1')).not.toMatch(/HTTP\/1\.1 200/);
  });
});

describe('serverkeygen (curl)', () => {
  it('returns a PKCS#8 key and a certificate for it; the key is not logged', async () => {
    const lines: string[] = [];
    const logger = {
      info: (m: string, f?: unknown) => lines.push(m + JSON.stringify(f)),
      warn: (m: string, f?: unknown) => lines.push(m + JSON.stringify(f)),
    };
    const { startCertServer: start } = await import('./helpers.js');
    const s = await start(pki, { authorize, channelBinding: 'if-present', logger });
    try {
      const { der } = opensslCsr(pki.dir, 'skg', '/CN=skg', 'URI:https://m2m.example.com/Cae-device-0001');
      const body = Buffer.from(der).toString('base64');
      const r = await curl(
        [
          ...device(),
          '-H',
          'Expect:',
          '-H',
          'Content-Type: application/pkcs10',
          '--data-binary',
          '@-',
          `${s.url}/serverkeygen`,
        ],
        body,
      );
      expect(r.status, r.body.toString()).toBe(200);
      expect(r.headers).toMatch(/content-type: multipart\/mixed; boundary=/i);
      expect(r.headers).toMatch(/cache-control: no-store/i);
      const boundary = /boundary=([^\r\n;]+)/i.exec(r.headers)?.[1] ?? '';
      const parts = r.body.toString('latin1').split(`--${boundary}`).slice(1, -1);
      expect(parts).toHaveLength(2);
      const [keyPart, certPart] = parts.map((p) => p.slice(p.indexOf('\r\n\r\n') + 4));
      if (keyPart === undefined || certPart === undefined)
        throw new Error('expected a key part and a certificate part');
      expect(parts[0]).toMatch(/content-type: application\/pkcs8/i);
      expect(parts[1]).toMatch(/content-type: application\/pkcs7-mime; smime-type=certs-only/i);
      const pkcs8 = Buffer.from(keyPart.replace(/\s+/g, ''), 'base64');
      const keyFile = writeTemp(pki.dir, 'skg.p8', pkcs8);
      const leaf = writeTemp(pki.dir, 'skg.pem', opensslPrintCerts(certPart));
      const fromKey = ok('openssl', ['pkey', '-inform', 'DER', '-in', keyFile, '-pubout']);
      const fromCert = ok('openssl', ['x509', '-in', leaf, '-noout', '-pubkey']);
      expect(fromCert).toBe(fromKey);
      expect(ok('openssl', ['verify', '-CAfile', writeTemp(pki.dir, 'ca.pem', pki.caPem), leaf])).toMatch(/: OK/);
      expect(ok('openssl', ['pkey', '-inform', 'DER', '-in', keyFile, '-noout', '-text'])).toContain(
        'NIST CURVE: P-256',
      );
      // the private key never reaches the logs, in any encoding
      const logged = lines.join('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const form of [pkcs8.toString('base64'), pkcs8.toString('hex'), pkcs8.subarray(-32).toString('base64')]) {
        expect(logged).not.toContain(form.slice(0, 40));
      }
    } finally {
      await s.close();
    }
  });
});
