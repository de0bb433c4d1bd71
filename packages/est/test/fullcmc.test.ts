// /fullcmc (RFC 7030 4.3, RFC 5272 CMC) with no project code on the client side: openssl makes the
// CSRs and signs the PKIData (`openssl cms -sign -econtent_type id-cct-PKIData`), curl carries it
// under the certificate being re-keyed, `openssl cms -verify` checks the CA-signed Full PKI Response.
// The PKIData itself is assembled in the test from DER pieces (no CMC builder exists in openssl).
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalSerial, type EnrolmentRequest, parseCertificate, revokeWithFullCmc } from '../src/index.js';
import {
  curl,
  makePki,
  ok,
  opensslCsr,
  opensslPrintCerts,
  type Pki,
  type RunningServer,
  startCertServer,
  writeTemp,
} from './helpers.js';

const SAN = 'URI:https://m2m.example.com/Cae-device-0001';
let pki: Pki;
let s: RunningServer;
/** serial -> SAN text of the client that got it (what the revocation hook decides by). */
const holders = new Map<string, string>();
const revoked: string[] = [];

const der = (tag: number, ...parts: Uint8Array[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
};
const int = (n: number) => der(0x02, Buffer.from([n]));
const oidDer = (dotted: string) => Buffer.from(new asn1js.ObjectIdentifier({ value: dotted }).toBER(false));

beforeAll(async () => {
  pki = await makePki();
  s = await startCertServer(pki, {
    channelBinding: 'off',
    authorize: (r: EnrolmentRequest) =>
      r.clientIdentity.kind === 'certificate'
        ? { outcome: 'allow', holder: r.clientIdentity.subjectAltNameText }
        : 'deny',
    recordIssued: async (i) => {
      holders.set(i.serialNumber, i.holder ?? '');
    },
    revokeCertificate: async ({ serialNumber, requester }) => {
      // The requester's own certificate and the one to revoke must have been issued to the same holder.
      const own =
        requester.kind === 'certificate' && requester.parsed
          ? holders.get(canonicalSerial(Buffer.from(requester.parsed.serialNumber).toString('hex')))
          : undefined;
      if (own === undefined || holders.get(serialNumber) !== own) return "this certificate is not the requester's";
      revoked.push(serialNumber);
      return true;
    },
  });
});
afterAll(async () => {
  await s?.close();
  await pki?.cleanup();
});

const tls = (cert: string, key: string) => [
  '--cacert',
  writeTemp(pki.dir, 'tls-root.pem', pki.tlsRootPem),
  '--cert',
  cert,
  '--key',
  key,
];

/** A certificate of this CA for the device (simpleenroll with the manufacturer certificate). */
async function enrolled(name: string): Promise<{ cert: string; key: string; serial: string }> {
  const { der: csr, keyPath } = opensslCsr(pki.dir, name, '/CN=device-0001', SAN);
  const r = await curl(
    [
      ...tls(writeTemp(pki.dir, 'device.pem', pki.deviceCertPem), writeTemp(pki.dir, 'device.key', pki.deviceKeyPem)),
      '-H',
      'Expect:',
      '-H',
      'Content-Type: application/pkcs10',
      '--data-binary',
      '@-',
      `${s.url}/simpleenroll`,
    ],
    csr.toString('base64'),
  );
  expect(r.status, r.body.toString()).toBe(200);
  const cert = writeTemp(pki.dir, `${name}.pem`, opensslPrintCerts(r.body));
  const serial = ok('openssl', ['x509', '-in', cert, '-noout', '-serial']).trim().split('=')[1]!.replace(/^0+/, '');
  return { cert, key: keyPath, serial };
}

async function fullcmc(signerCert: string, signerKey: string, pkiData: Buffer) {
  const inFile = writeTemp(pki.dir, 'pkidata.der', pkiData);
  const out = writeTemp(pki.dir, 'cmc-req.der', '');
  ok('openssl', [
    'cms',
    '-sign',
    '-binary',
    '-nodetach',
    '-md',
    'sha256',
    '-econtent_type',
    '1.3.6.1.5.5.7.12.2',
    '-signer',
    signerCert,
    '-inkey',
    signerKey,
    '-in',
    inFile,
    '-outform',
    'DER',
    '-out',
    out,
  ]);
  return curl(
    [
      ...tls(signerCert, signerKey),
      '-H',
      'Expect:',
      '-H',
      'Content-Type: application/pkcs7-mime; smime-type=CMC-request',
      '--data-binary',
      '@-',
      `${s.url}/fullcmc`,
    ],
    readFileSync(out).toString('base64'),
  );
}

/** openssl verifies the CA's signature on the response; returns the CMCStatusInfoV2 fields and the certificates. */
function readResponse(r: { status: number; headers: string; body: Buffer }) {
  expect(r.status, r.body.toString()).toBe(200);
  expect(r.headers).toMatch(/content-type: application\/pkcs7-mime; smime-type=CMC-response/i);
  const resp = writeTemp(pki.dir, 'cmc-resp.der', Buffer.from(r.body.toString().replace(/\s+/g, ''), 'base64'));
  const content = writeTemp(pki.dir, 'cmc-resp.content', '');
  const certs = writeTemp(pki.dir, 'cmc-resp-certs.pem', '');
  ok('openssl', [
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-in',
    resp,
    '-CAfile',
    writeTemp(pki.dir, 'ca.pem', pki.caPem),
    '-purpose',
    'any',
    '-out',
    content,
    '-certsout',
    certs,
  ]);
  const cmsText = ok('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', resp]);
  expect(cmsText).toMatch(/eContentType: (id-cct-PKIResponse|1\.3\.6\.1\.5\.5\.7\.12\.3)/);
  const pkiResponse = asn1js.fromBER(readFileSync(content)).result as asn1js.Sequence;
  const control = (pkiResponse.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const [, type, values] = control.valueBlock.value as [asn1js.Integer, asn1js.ObjectIdentifier, asn1js.Set];
  expect(type.valueBlock.toString()).toBe('1.3.6.1.5.5.7.7.25');
  const info = (values.valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
  const status = (info[0] as asn1js.Integer).valueBlock.valueDec;
  const bodyList = (info[1] as asn1js.Sequence).valueBlock.value.map((v) => (v as asn1js.Integer).valueBlock.valueDec);
  const failInfo = info.find((v, i) => i >= 2 && v instanceof asn1js.Integer) as asn1js.Integer | undefined;
  return { status, bodyList, failInfo: failInfo?.valueBlock.valueDec, certs: readFileSync(certs, 'utf8') };
}

const pkiData = (controls: Buffer[], requests: Buffer[]) =>
  der(0x30, der(0x30, ...controls), der(0x30, ...requests), der(0x30), der(0x30));
const taggedCsr = (id: number, csr: Buffer) => der(0xa0, int(id), csr);
function revokeControl(id: number, serialHex: string, reason = 1) {
  const issuer = Buffer.from(parseCertificate(pki.ca.certificate, 'CA').subject);
  const serial = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex');
  const serialInt = der(0x02, serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial);
  const request = der(0x30, issuer, serialInt, der(0x0a, Buffer.from([reason])));
  return der(0x30, int(id), oidDer('1.3.6.1.5.5.7.7.17'), der(0x31, request));
}

describe('fullcmc (openssl cms + curl)', () => {
  it('re-key: a new-key CSR signed under the current certificate gets a certificate for the new key', async () => {
    const current = await enrolled('rekey-current');
    const { der: csr, keyPath: newKey } = opensslCsr(pki.dir, 'rekey-new', '/CN=device-0001', SAN);
    const r = readResponse(await fullcmc(current.cert, current.key, pkiData([], [taggedCsr(7, csr)])));
    expect(r).toMatchObject({ status: 0, bodyList: [7] });
    const leaf = r.certs.split(/(?=-----BEGIN CERTIFICATE-----)/).find((c) => !c.includes(pki.caPem.split('\n')[1]!))!;
    const leafFile = writeTemp(pki.dir, 'rekeyed.pem', leaf);
    expect(ok('openssl', ['x509', '-in', leafFile, '-noout', '-pubkey'])).toBe(
      ok('openssl', ['pkey', '-in', newKey, '-pubout']),
    );
    expect(ok('openssl', ['verify', '-CAfile', writeTemp(pki.dir, 'ca.pem', pki.caPem), leafFile])).toMatch(/: OK/);
  });

  it('re-key refusals: the same key (noKeyReuse), another name (badRequest)', async () => {
    const current = await enrolled('rekey-refused');
    // Same key as the current certificate.
    const same = ok('openssl', [
      'req',
      '-new',
      '-key',
      current.key,
      '-subj',
      '/CN=device-0001',
      '-addext',
      `subjectAltName=${SAN}`,
      '-outform',
      'DER',
    ]);
    const a = readResponse(
      await fullcmc(current.cert, current.key, pkiData([], [taggedCsr(1, Buffer.from(same, 'latin1'))])),
    );
    expect(a).toMatchObject({ status: 2, bodyList: [1], failInfo: 10 });
    const { der: other } = opensslCsr(pki.dir, 'rekey-other', '/CN=device-0001', 'URI:https://m2m.example.com/Cother');
    const b = readResponse(await fullcmc(current.cert, current.key, pkiData([], [taggedCsr(2, other)])));
    expect(b).toMatchObject({ status: 2, bodyList: [2], failInfo: 2 });
  });

  it("revocation: the holder revokes its own certificate; another holder's is refused (badCertId)", async () => {
    const old = await enrolled('revoke-old');
    const current = await enrolled('revoke-current');
    const r = readResponse(await fullcmc(current.cert, current.key, pkiData([revokeControl(3, old.serial)], [])));
    expect(r).toMatchObject({ status: 0, bodyList: [3] });
    expect(revoked).toContain(old.serial.toUpperCase());
    holders.set('ABCDEF01', 'URI:urn:dev:ops:someone-else');
    const refused = readResponse(await fullcmc(current.cert, current.key, pkiData([revokeControl(4, 'ABCDEF01')], [])));
    expect(refused).toMatchObject({ status: 2, bodyList: [4], failInfo: 4 });
    expect(revoked).not.toContain('ABCDEF01');
  });

  it('two operations or an unknown control: noSupport, nothing done', async () => {
    const current = await enrolled('nosupport');
    const before = revoked.length;
    const { der: csr } = opensslCsr(pki.dir, 'ns-new', '/CN=device-0001', SAN);
    const both = readResponse(
      await fullcmc(current.cert, current.key, pkiData([revokeControl(5, current.serial)], [taggedCsr(6, csr)])),
    );
    expect(both.status).toBe(4);
    const unknownControl = der(0x30, int(9), oidDer('1.3.6.1.5.5.7.7.7'), der(0x31, der(0x04, Buffer.from('nonce'))));
    const unknown = readResponse(
      await fullcmc(current.cert, current.key, pkiData([unknownControl], [taggedCsr(10, csr)])),
    );
    expect(unknown.status).toBe(4);
    expect(revoked.length).toBe(before);
  });

  it('a request signed by a key other than the TLS client certificate is refused (403)', async () => {
    const a = await enrolled('signer-a');
    const b = await enrolled('signer-b');
    const { der: csr } = opensslCsr(pki.dir, 'signer-new', '/CN=device-0001', SAN);
    const inFile = writeTemp(pki.dir, 'pkidata-b.der', pkiData([], [taggedCsr(1, csr)]));
    const out = writeTemp(pki.dir, 'cmc-req-b.der', '');
    ok('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-md',
      'sha256',
      '-econtent_type',
      '1.3.6.1.5.5.7.12.2',
      '-signer',
      b.cert,
      '-inkey',
      b.key,
      '-in',
      inFile,
      '-outform',
      'DER',
      '-out',
      out,
    ]);
    const r = await curl(
      [
        ...tls(a.cert, a.key),
        '-H',
        'Expect:',
        '-H',
        'Content-Type: application/pkcs7-mime; smime-type=CMC-request',
        '--data-binary',
        '@-',
        `${s.url}/fullcmc`,
      ],
      readFileSync(out).toString('base64'),
    );
    expect(r.status).toBe(403);
    expect(r.body.toString()).toMatch(/not signed under the TLS client certificate/);
  });
});

describe("revokeWithFullCmc (this package's client, against the same server)", () => {
  const target = (c: { cert: string; key: string }) => ({
    baseUrl: s.url,
    tls: { ca: [pki.tlsRootPem], cert: readFileSync(c.cert, 'utf8'), key: readFileSync(c.key, 'utf8') },
  });
  it("the holder revokes its superseded certificate; another holder's is refused; the answer's signature is checked", async () => {
    const old = await enrolled('client-old');
    const current = await enrolled('client-current');
    const signer = { certificate: readFileSync(current.cert, 'utf8'), key: readFileSync(current.key, 'utf8') };
    const r = await revokeWithFullCmc(target(current), { certificate: readFileSync(old.cert, 'utf8') }, signer);
    expect(r).toEqual({ status: 0 });
    expect(revoked).toContain(canonicalSerial(old.serial));
    // A certificate of another holder (the manufacturer's device certificate is not this CA's either).
    const other = await enrolled('client-other');
    holders.set(canonicalSerial(other.serial), 'URI:urn:dev:ops:someone-else');
    const refused = await revokeWithFullCmc(target(current), { certificate: readFileSync(other.cert, 'utf8') }, signer);
    expect(refused).toMatchObject({ status: 2, failInfo: 4 });
    expect(revoked).not.toContain(canonicalSerial(other.serial));
  });
});
