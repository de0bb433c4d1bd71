// Issue 15: AuthorizedPublicKey mode in the IN-CSE process's DTLS handshake. The client's self-signed
// certificate carries the TA's MacCert; coap-client-openssl with a valid one acts as the administrator
// bound to its key's Credential-ID; openssl s_client -dtls1_2 sees the alert of each failed check:
// forged MAC, unknown TA, stale sequence number, malformed key, replayed MacCert.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueMacCert, MAC_CERT_EXTENSION_OID } from '@m2msec/saef';
import { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sClient } from '../../../packages/dtls/test/s-client.js';
import { freePort } from './harness.js';
import { credentialsCli, prepareSecureInCse, type SecureInCse } from './saef-setup.js';

const kRsTa = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'm2msec-in-cse-apk-'));
let s: SecureInCse;
let ca: TestCa;
let coapPort: number;
const admin = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const adminSpki = admin.publicKey.export({ format: 'der', type: 'spki' });
const adminCredentialId = `12-APK.ta1.${createHash('sha256').update(adminSpki).digest('hex').slice(0, 32)}`;

let n = 0;
/** A self-signed certificate (openssl CLI) for `key` carrying macCert(spki) in the MacCert extension. */
function certWith(key: { privateKey: KeyObject; publicKey: KeyObject }, macCert: (spki: Buffer) => Buffer) {
  const name = `c${n++}`;
  const keyPath = join(dir, `${name}.key`);
  writeFileSync(keyPath, key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const mc = macCert(key.publicKey.export({ format: 'der', type: 'spki' }));
  const certPath = join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    keyPath,
    '-subj',
    '/CN=apk',
    '-days',
    '1',
    '-addext',
    `${MAC_CERT_EXTENSION_OID}=DER:${mc.toString('hex')}`,
    '-out',
    certPath,
  ]);
  return { certPath, keyPath };
}
const fresh = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const valid = (seq: bigint) => (spki: Buffer) =>
  issueMacCert(kRsTa, { taId: 'ta1', sequenceNumber: seq, publicKey: spki });
const sArgs = (c: { certPath: string; keyPath: string }) => [
  '-cert',
  c.certPath,
  '-key',
  c.keyPath,
  '-CAfile',
  ca.certPath,
  '-cipher',
  'ECDHE-ECDSA-AES128-CCM8',
];

function coapClient(c: { certPath: string; keyPath: string }): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(
      'coap-client-openssl',
      [
        '-B',
        '4',
        '-c',
        c.certPath,
        '-j',
        c.keyPath,
        '-C',
        ca.certPath,
        '-O',
        '279,CAdmin',
        '-O',
        '283,apk-1',
        '-O',
        '271,3',
        `coaps://127.0.0.1:${coapPort}/cse-in`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    p.stdout.on('data', (d) => {
      out += d.toString();
    });
    p.stderr.on('data', (d) => {
      out += d.toString();
    });
    p.on('close', () => resolve(out));
  });
}

beforeAll(async () => {
  ca = new TestCa('in-cse-apk');
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org,IP:127.0.0.1', usage: 'server' });
  coapPort = await freePort();
  const prepared = await prepareSecureInCse(
    {
      derivedKey: true,
      administrators: [{ name: 'apk-admin', originator: 'CAdmin', credentialId: adminCredentialId }],
    },
    {
      coap: {
        host: '127.0.0.1',
        port: coapPort,
        responseOptions: 'coap-only',
        certificate: true,
        authorizedPublicKey: true,
      },
    },
  );
  credentialsCli(
    prepared.configPath,
    prepared.dataDir,
    ['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'],
    kRsTa.toString('hex'),
  );
  const config = JSON.parse(readFileSync(prepared.configPath, 'utf8'));
  config.security.certificate = {
    host: '127.0.0.1',
    port: prepared.certPort,
    cert: server.certPath,
    key: server.keyPath,
    trustAnchors: [ca.certPath],
    crls: [ca.crl().path],
    tls13: true,
  };
  writeFileSync(prepared.configPath, JSON.stringify(config));
  s = await prepared.start();
}, 60_000);
afterAll(async () => s?.cse.stop());

describe('IN-CSE AuthorizedPublicKey over DTLS', () => {
  it('a client whose key the TA authorized acts as the administrator bound to its key', async () => {
    expect(await coapClient(certWith(admin, valid(100n)))).toContain('"csi":"/id-in"');
  });

  it('the same MacCert replayed: bad_certificate', async () => {
    const c = certWith(admin, valid(200n));
    expect(await coapClient(c)).toContain('"csi"');
    const r = await sClient(coapPort, sArgs(c));
    expect(r.handshake).toBe(false);
    expect(r.output).toMatch(/alert bad certificate/);
  });

  it('forged MAC: bad_certificate; unknown TA: unknown_ca; stale sequence: bad_certificate', async () => {
    const forged = await sClient(
      coapPort,
      sArgs(
        certWith(fresh(), (spki) =>
          issueMacCert(randomBytes(32), { taId: 'ta1', sequenceNumber: 201n, publicKey: spki }),
        ),
      ),
    );
    expect(forged.output).toMatch(/alert bad certificate/);
    const unknown = await sClient(
      coapPort,
      sArgs(certWith(fresh(), (spki) => issueMacCert(kRsTa, { taId: 'ta7', sequenceNumber: 202n, publicKey: spki }))),
    );
    expect(unknown.output).toMatch(/alert unknown ca/);
    const stale = await sClient(coapPort, sArgs(certWith(fresh(), valid(5n))));
    expect(stale.output).toMatch(/alert bad certificate/);
    for (const r of [forged, unknown, stale]) expect(r.handshake).toBe(false);
  });

  it('malformed SubjectPublicKeyInfo under a valid MAC: bad_certificate', async () => {
    const garbage = () => {
      const spki = Buffer.from('30030201ff', 'hex');
      const seq = Buffer.alloc(8);
      seq.writeBigUInt64BE(203n);
      const body = Buffer.concat([Buffer.from([1, 3]), Buffer.from('ta1'), seq, Buffer.from([0, spki.length]), spki]);
      return Buffer.concat([body, createHmac('sha256', kRsTa).update('m2msec-MacCert\0').update(body).digest()]);
    };
    const r = await sClient(coapPort, sArgs(certWith(fresh(), garbage)));
    expect(r.handshake).toBe(false);
    expect(r.output).toMatch(/alert bad certificate/);
  });

  it('an unauthorized key with a valid MacCert for its key connects but is no administrator (request refused)', async () => {
    const out = await coapClient(certWith(fresh(), valid(300n)));
    expect(out).not.toContain('"csi"');
  });
});
