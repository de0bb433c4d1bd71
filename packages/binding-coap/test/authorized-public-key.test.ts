// AuthorizedPublicKey mode in the DTLS handshake, against openssl s_client -dtls1_2: the client's
// self-signed certificate carries the TA's MacCert; the resource server checks it in the
// certificate-verify step and fails the handshake with the alert of the failed check.

import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportContext } from '@m2msec/protocol';
import { AuthorizedPublicKeyVerifier, issueMacCert, MAC_CERT_EXTENSION_OID } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki } from '../../dtls/test/pki.js';
import { sClient } from '../../dtls/test/s-client.js';
import { type CoapBinding, createCoapBinding } from '../src/index.js';

const kRsTa = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'm2msec-apk-'));
let binding: CoapBinding;
let port: number;
const sessions: TransportContext[] = [];
const verifier = new AuthorizedPublicKeyVerifier({ trustAnchors: [{ taId: 'ta1', key: kRsTa }] });

let n = 0;
/** A key pair and a self-signed certificate (openssl CLI) carrying `macCert(spki)` in the extension. */
function client(macCert: (spki: Buffer) => Buffer): string[] {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = `c${n++}`;
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const mc = macCert(publicKey.export({ format: 'der', type: 'spki' }));
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    '-subj',
    '/CN=sensor1',
    '-days',
    '1',
    '-addext',
    `${MAC_CERT_EXTENSION_OID}=DER:${mc.toString('hex')}`,
    '-out',
    join(dir, `${name}.crt`),
  ]);
  return ['-cert', join(dir, `${name}.crt`), '-key', keyFile, '-cipher', 'ECDHE-ECDSA-AES128-CCM8'];
}

const valid = (seq: bigint) => (spki: Buffer) =>
  issueMacCert(kRsTa, { taId: 'ta1', sequenceNumber: seq, publicKey: spki });

beforeAll(async () => {
  const pki = makePki();
  binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    certificate: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, requestCert: true, requireCert: true },
    // Inside the handshake: TA known, MAC valid, key matches, number fresh; else the alert.
    verifyPeer: (ders) => {
      const v = verifier.check(ders[0]!);
      return v.ok ? undefined : v.alert;
    },
    // After Finished: the window moves.
    acceptSession: (s) => s.certificate !== undefined && verifier.accept(s.certificate).ok,
    handler: async (req, transport) => {
      sessions.push(transport);
      return { rsc: 2000, rqi: req.rqi, pc: {} };
    },
  });
  port = (await binding.listen()).port;
});
afterAll(() => binding.close());

describe('AuthorizedPublicKey over DTLS (openssl s_client -dtls1_2)', () => {
  it('accepts a client whose key the TA authorized; the same MacCert replayed gets bad_certificate', async () => {
    const args = client(valid(100n));
    const ok = await sClient(port, args);
    expect(ok.handshake, ok.output).toBe(true);
    expect(ok.cipher).toBe('ECDHE-ECDSA-AES128-CCM8');
    const replay = await sClient(port, args);
    expect(replay.handshake).toBe(false);
    expect(replay.output).toMatch(/alert bad certificate/);
  });

  it('refuses a forged MAC with bad_certificate', async () => {
    const r = await sClient(
      port,
      client((spki) => issueMacCert(randomBytes(32), { taId: 'ta1', sequenceNumber: 101n, publicKey: spki })),
    );
    expect(r.handshake).toBe(false);
    expect(r.output).toMatch(/alert bad certificate/);
  });

  it('refuses an unknown TA id with unknown_ca', async () => {
    const r = await sClient(
      port,
      client((spki) => issueMacCert(kRsTa, { taId: 'ta9', sequenceNumber: 102n, publicKey: spki })),
    );
    expect(r.handshake).toBe(false);
    expect(r.output, r.output).toMatch(/alert unknown ca/);
  });

  it('refuses a sequence number left of the window (stale) with bad_certificate', async () => {
    const r = await sClient(port, client(valid(10n))); // 100 accepted, window 64
    expect(r.handshake).toBe(false);
    expect(r.output).toMatch(/alert bad certificate/);
  });

  it('refuses a malformed SubjectPublicKeyInfo (MAC valid) and a MacCert for another key with bad_certificate', async () => {
    const garbage = (_spki: Buffer) => {
      const spki = Buffer.from('30030201ff', 'hex');
      const ta = Buffer.from('ta1');
      const seq = Buffer.alloc(8);
      seq.writeBigUInt64BE(103n);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(spki.length);
      const body = Buffer.concat([Buffer.from([1, ta.length]), ta, seq, len, spki]);
      const mac = createHmac('sha256', kRsTa).update(Buffer.from('m2msec-MacCert\0')).update(body).digest();
      return Buffer.concat([body, mac]);
    };
    const r = await sClient(port, client(garbage));
    expect(r.handshake).toBe(false);
    expect(r.output).toMatch(/alert bad certificate/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    const r2 = await sClient(
      port,
      client(() => issueMacCert(kRsTa, { taId: 'ta1', sequenceNumber: 104n, publicKey: other })),
    );
    expect(r2.handshake).toBe(false);
    expect(r2.output).toMatch(/alert bad certificate/);
  });
});
