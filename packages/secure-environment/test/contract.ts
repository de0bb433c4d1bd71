// One contract for every SecureEnvironment implementation: run with a factory per implementation.
import { createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type ProvisioningOperation,
  type SecureEnvironment,
  SecureEnvironmentError,
  verifyProvisioningAttestation,
} from '../src/index.js';
import { hex, openssl, opensslHmacHex, opensslVerifyEcdsa, tmp, unhex } from './helpers.js';

export interface SeFixture {
  se: SecureEnvironment;
  events: AuditEvent[];
  /** Close and open the same store again. */
  reopen(): Promise<SecureEnvironment>;
  dispose(): Promise<void>;
}

const enc = (s: string) => new TextEncoder().encode(s);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<SecureEnvironmentError> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(SecureEnvironmentError);
  expect((err as SecureEnvironmentError).code).toBe(code);
  return err as SecureEnvironmentError;
}

// RFC 4231 test cases 6 and 7 (key longer than the block size: 131 bytes of 0xaa)
const rfc4231Key = new Uint8Array(131).fill(0xaa);
const rfc4231 = [
  [
    'Test Using Larger Than Block-Size Key - Hash Key First',
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  ],
  [
    'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  ],
] as const;

export function secureEnvironmentContract(name: string, factory: () => Promise<SeFixture>): void {
  describe(`SecureEnvironment contract: ${name}`, () => {
    let f: SeFixture;
    beforeEach(async () => {
      f = await factory();
    });
    afterEach(async () => {
      await f.dispose();
    });

    it('reports a TS-0003 Table 6.3.1-1 protection level and its capabilities', async () => {
      const d = await f.se.describe();
      expect([0, 1, 2, 3]).toContain(d.protectionLevel);
      expect(d.protectionReason.length).toBeGreaterThan(20);
      expect(d.capabilities.algorithms).toEqual(expect.arrayContaining(['AES', 'HMAC', 'EC-P256']));
      expect(d.capabilities.macAlgorithms).toContain('HMAC-SHA-256');
    });

    it('HMAC-SHA-256 matches RFC 4231 vectors and openssl', async () => {
      const k = await f.se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'rfc4231' }, rfc4231Key);
      for (const [msg, expected] of rfc4231) {
        const tag = await f.se.mac(k, enc(msg));
        expect(hex(tag)).toBe(expected);
        expect(hex(tag)).toBe(opensslHmacHex(hex(rfc4231Key), enc(msg)));
        expect(await f.se.verifyMac(k, enc(msg), tag)).toBe(true);
        const bad = new Uint8Array(tag);
        bad[0]! ^= 1;
        expect(await f.se.verifyMac(k, enc(msg), bad)).toBe(false);
      }
    });

    it('derives TS-0003 10.3.2 Km and 10.3.3 Kpsa inside the SE (checked against openssl)', async () => {
      const ke = unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
      const keH = await f.se.importKey({ algorithm: 'HMAC', usages: ['derive'], id: 'Ke-1@mef.example' }, ke);
      const kmLabel = 'oneM2M Enrolment Key to Master Credential derivation';
      const km = await f.se.deriveKey(
        keH,
        { label: kmLabel, context: 'maf.example.com' },
        { algorithm: 'HMAC', usages: ['mac', 'tls-psk'], id: 'Km-1' },
      );
      expect(km).toMatchObject({ id: 'Km-1', algorithm: 'HMAC', length: 32 });
      const kmBytes = await f.se.exportPskForTls(km);
      expect(hex(kmBytes)).toBe(opensslHmacHex(hex(ke), enc(`${kmLabel}maf.example.com`)));
      // NFKC: the full-width form of the ID derives the same key (10.3.3 encoding rule)
      const kpsaLabel = 'oneM2M Enrolment Key to Provisioned Secure Connection Key derivation';
      const kpsa = await f.se.deriveKey(
        keH,
        { label: kpsaLabel, context: 'ＣＡＥ１' },
        { algorithm: 'HMAC', usages: ['tls-psk'], id: 'Kpsa-1' },
      );
      expect(hex(await f.se.exportPskForTls(kpsa))).toBe(opensslHmacHex(hex(ke), enc(`${kpsaLabel}CAE1`)));
      // the derived key is a handle: usable for its usages only
      await rejectsWith(f.se.mac(kpsa, enc('x')), 'USAGE_NOT_PERMITTED');
      await rejectsWith(
        f.se.deriveKey(km, { label: 'l', context: 'c' }, { algorithm: 'AES', usages: ['encrypt'] }),
        'USAGE_NOT_PERMITTED',
      );
    });

    it('ECDSA P-256: generated key signs, openssl and node verify, tampering fails', async () => {
      const k = await f.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'ec-1', label: 'device key' });
      expect(k).toMatchObject({ algorithm: 'EC-P256', usages: ['sign'], exportable: false });
      const data = enc('oneM2M request primitive');
      const sig = await f.se.sign(k, data);
      expect(sig.byteLength).toBe(64);
      expect(await f.se.verify(k, data, sig)).toBe(true);
      expect(await f.se.verify(k, enc('other'), sig)).toBe(false);
      const spki = await f.se.getPublicKey(k);
      expect(
        nodeVerify(
          'sha256',
          data,
          { key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), dsaEncoding: 'ieee-p1363' },
          sig,
        ),
      ).toBe(true);
      expect(opensslVerifyEcdsa(spki, data, sig)).toBe(true);
      expect(opensslVerifyEcdsa(spki, enc('other'), sig)).toBe(false);
    });

    it('ECDSA P-256: imports an openssl-generated PKCS#8 key', async () => {
      const dir = tmp('ec');
      const pem = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
      const der = openssl(['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'], pem);
      const pub = openssl(['pkey', '-pubout', '-outform', 'DER'], pem);
      const k = await f.se.importKey({ algorithm: 'EC-P256', usages: ['sign'], id: `ec-imp-${dir.slice(-6)}` }, der);
      expect(hex(await f.se.getPublicKey(k))).toBe(hex(pub));
      const sig = await f.se.sign(k, enc('abc'));
      expect(opensslVerifyEcdsa(pub, enc('abc'), sig)).toBe(true);
      await rejectsWith(f.se.importKey({ algorithm: 'EC-P256', usages: ['sign'] }, enc('not a key')), 'INVALID_INPUT');
    });

    it('AES-GCM: NIST test case 14 decrypts, round trip with AAD, tampering is refused', async () => {
      const k = await f.se.importKey({ algorithm: 'AES', usages: ['encrypt'], id: 'gcm-kat' }, new Uint8Array(32));
      const pt = await f.se.decrypt(k, {
        iv: new Uint8Array(12),
        ciphertext: unhex('cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919'),
      });
      expect(hex(pt)).toBe('00'.repeat(16));
      const g = await f.se.generateKey({ algorithm: 'AES', length: 16, usages: ['encrypt'] });
      const aad = enc('header');
      const sealed = await f.se.encrypt(g, enc('secret payload'), aad);
      expect(sealed.iv.byteLength).toBe(12);
      expect(new TextDecoder().decode(await f.se.decrypt(g, sealed, aad))).toBe('secret payload');
      await rejectsWith(f.se.decrypt(g, sealed, enc('other header')), 'AUTHENTICATION_FAILED');
      const t = { iv: sealed.iv, ciphertext: new Uint8Array(sealed.ciphertext) };
      t.ciphertext[0]! ^= 1;
      await rejectsWith(f.se.decrypt(g, t), 'AUTHENTICATION_FAILED');
      await rejectsWith(f.se.decrypt(g, { iv: new Uint8Array(8), ciphertext: sealed.ciphertext }), 'INVALID_INPUT');
    });

    it('AES-KW: RFC 3394 4.6 wrap and unwrap, integrity failure refused', async () => {
      const kek = await f.se.importKey(
        { algorithm: 'AES', usages: ['wrap'], id: 'kek' },
        unhex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F'),
      );
      const keyData = unhex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
      const wrappedKat = '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21';
      const k = await f.se.importKey({ algorithm: 'HMAC', usages: ['mac'], exportable: true, id: 'to-wrap' }, keyData);
      expect(hex(await f.se.wrapKey(kek, k))).toBe(wrappedKat);
      const u = await f.se.unwrapKey(kek, unhex(wrappedKat), {
        algorithm: 'HMAC',
        usages: ['tls-psk'],
        id: 'unwrapped',
      });
      expect(hex(await f.se.exportPskForTls(u))).toBe(hex(keyData));
      const bad = unhex(wrappedKat);
      bad[5]! ^= 1;
      await rejectsWith(f.se.unwrapKey(kek, bad, { algorithm: 'HMAC', usages: ['mac'] }), 'AUTHENTICATION_FAILED');
      expect(await f.se.listKeys()).toHaveLength(3);
      const nonExportable = await f.se.generateKey({ algorithm: 'HMAC', usages: ['mac'] });
      await rejectsWith(f.se.wrapKey(kek, nonExportable), 'USAGE_NOT_PERMITTED');
    });

    it('AES-CMAC matches RFC 4493 and openssl when offered', async () => {
      const d = await f.se.describe();
      const k = await f.se.importKey(
        { algorithm: 'AES', usages: ['mac'], id: 'cmac' },
        unhex('2b7e151628aed2a6abf7158809cf4f3c'),
      );
      const m = unhex('6bc1bee22e409f96e93d7e117393172a');
      if (!d.capabilities.macAlgorithms.includes('AES-CMAC')) {
        await rejectsWith(f.se.mac(k, m, 'AES-CMAC'), 'UNSUPPORTED');
        return;
      }
      const tag = await f.se.mac(k, m, 'AES-CMAC');
      expect(hex(tag)).toBe('070a16b46b4d4144f79bdd9dd04a287c');
      const o = openssl(
        ['mac', '-cipher', 'AES-128-CBC', '-macopt', 'hexkey:2b7e151628aed2a6abf7158809cf4f3c', 'CMAC'],
        m,
      );
      expect(o.toString().trim().toLowerCase()).toBe(hex(tag));
    });

    it('enforces usages, validates input and names the problem', async () => {
      const ec = await f.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'] });
      await rejectsWith(f.se.mac(ec, enc('x')), 'USAGE_NOT_PERMITTED');
      const h = await f.se.generateKey({ algorithm: 'HMAC', usages: ['mac'], id: 'h1' });
      await rejectsWith(f.se.exportPskForTls(h), 'USAGE_NOT_PERMITTED');
      await rejectsWith(f.se.sign(h, enc('x')), 'USAGE_NOT_PERMITTED');
      await rejectsWith(f.se.generateKey({ algorithm: 'HMAC', usages: ['mac'], id: 'h1' }), 'KEY_EXISTS');
      await rejectsWith(f.se.importKey({ algorithm: 'HMAC', usages: ['mac'] }, new Uint8Array(16)), 'INVALID_INPUT');
      await rejectsWith(f.se.generateKey({ algorithm: 'AES', length: 24 as 16, usages: ['encrypt'] }), 'INVALID_INPUT');
      await rejectsWith(f.se.generateKey({ algorithm: 'AES', length: 32, usages: ['sign'] }), 'INVALID_INPUT');
      await rejectsWith(
        f.se.generateKey({ algorithm: 'RSA' as 'AES', length: 32, usages: ['encrypt'] }),
        'INVALID_INPUT',
      );
      await rejectsWith(f.se.generateKey({ algorithm: 'HMAC', usages: ['mac'], id: 'bad\nid' }), 'INVALID_INPUT');
      const e = await rejectsWith(f.se.mac('missing-key', enc('x')), 'KEY_NOT_FOUND');
      expect(e.message).toContain('missing-key');
      expect(e.rsc).toBe(4004);
      await rejectsWith(f.se.random(0), 'INVALID_INPUT');
      expect(await f.se.listKeys()).toHaveLength(2);
    });

    it('random returns fresh bytes of the asked length', async () => {
      const a = await f.se.random(32);
      const b = await f.se.random(32);
      expect(a.byteLength).toBe(32);
      expect(hex(a)).not.toBe(hex(b));
    });

    it('keys and credentials persist across reopen; deleted keys are gone', async () => {
      const h = await f.se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'persist', label: 'Kpsa' }, rfc4231Key);
      const ec = await f.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'persist-ec' });
      const spki = await f.se.getPublicKey(ec);
      const gone = await f.se.generateKey({ algorithm: 'AES', length: 32, usages: ['encrypt'], id: 'gone' });
      await f.se.writeCredential('cert:cse1', enc('-----BEGIN CERTIFICATE-----'));
      await f.se.deleteKey(gone);
      await rejectsWith(f.se.encrypt(gone, enc('x')), 'KEY_NOT_FOUND');
      await rejectsWith(f.se.deleteKey(gone), 'KEY_NOT_FOUND');
      const se = await f.reopen();
      expect((await se.listKeys()).map((k) => k.id).sort()).toEqual(['persist', 'persist-ec']);
      expect(await se.getKey('persist')).toMatchObject({
        label: 'Kpsa',
        usages: ['mac'],
        algorithm: 'HMAC',
        length: 131,
      });
      expect(hex(await se.mac(h, enc(rfc4231[0][0])))).toBe(rfc4231[0][1]);
      expect(hex(await se.getPublicKey('persist-ec'))).toBe(hex(spki));
      expect(await se.verify('persist-ec', enc('m'), await se.sign('persist-ec', enc('m')))).toBe(true);
      expect(new TextDecoder().decode(await se.readCredential('cert:cse1'))).toBe('-----BEGIN CERTIFICATE-----');
      expect(await se.getKey('gone')).toBeUndefined();
    });

    it('credential blobs: write, overwrite, read, list, delete', async () => {
      expect(await f.se.readCredential('ta:root')).toBeUndefined();
      await f.se.writeCredential('ta:root', enc('v1'));
      await f.se.writeCredential('ta:root', enc('v2'));
      await f.se.writeCredential('cert:x', new Uint8Array(0));
      expect(new TextDecoder().decode(await f.se.readCredential('ta:root'))).toBe('v2');
      expect((await f.se.readCredential('cert:x'))?.byteLength).toBe(0);
      expect((await f.se.listCredentials()).sort()).toEqual(['cert:x', 'ta:root']);
      expect(await f.se.deleteCredential('ta:root')).toBe(true);
      expect(await f.se.deleteCredential('ta:root')).toBe(false);
      expect(await f.se.readCredential('ta:root')).toBeUndefined();
      await rejectsWith(f.se.writeCredential('', enc('x')), 'INVALID_INPUT');
    });

    it('audits every key operation with id, outcome and time, never key bytes', async () => {
      const raw = unhex('aa'.repeat(32));
      const k = await f.se.importKey({ algorithm: 'HMAC', usages: ['mac', 'tls-psk'], id: 'audited' }, raw);
      await f.se.mac(k, enc('x'));
      await f.se.exportPskForTls(k);
      await f.se.sign(k, enc('x')).catch(() => undefined);
      await f.se.deleteKey(k);
      const ops = f.events.filter((e) => e.keyId === 'audited').map((e) => `${e.operation}:${e.outcome}`);
      expect(ops).toEqual([
        'import-key:success',
        'mac:success',
        'export-psk-for-tls:success',
        'sign:failure',
        'delete-key:success',
      ]);
      const failure = f.events.find((e) => e.operation === 'sign' && e.outcome === 'failure');
      expect(failure?.errorCode).toBe('USAGE_NOT_PERMITTED');
      for (const e of f.events) {
        expect(Number.isNaN(Date.parse(e.time))).toBe(false);
        expect(JSON.stringify(e)).not.toMatch(/aaaaaaaa|qqqqqq/i);
      }
    });

    describe('provisioning sessions', () => {
      const issuer = 'mef.example.com';
      const sessionKeyRaw = unhex('5a'.repeat(32));
      const nonce = unhex('0102030405060708090a0b0c0d0e0f10');

      async function setup() {
        const sk = await f.se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'session-key' }, sessionKeyRaw);
        await f.se.importKey(
          { algorithm: 'HMAC', usages: ['mac'], id: 'old-kpsa', label: 'old' },
          unhex('11'.repeat(32)),
        );
        await f.se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'retired' }, unhex('22'.repeat(32)));
        await f.se.writeCredential('cert:old', enc('old cert'));
        return sk;
      }

      const operations = (): ProvisioningOperation[] => [
        {
          op: 'import-key',
          spec: { algorithm: 'HMAC', usages: ['tls-psk'], id: 'Kpsa-new@mef.example.com', label: 'Kpsa' },
          material: unhex('33'.repeat(32)),
        },
        { op: 'generate-key', spec: { algorithm: 'EC-P256', usages: ['sign'], id: 'device-ec' } },
        { op: 'generate-key', spec: { algorithm: 'AES', length: 32, usages: ['encrypt'], id: 'aes-new' } },
        { op: 'update-key', id: 'old-kpsa', label: 'renamed' },
        { op: 'delete-key', id: 'retired' },
        { op: 'write-credential', label: 'cert:new', value: enc('new cert') },
        { op: 'delete-credential', label: 'cert:old' },
      ];

      it('an EC-P256 key generated in the SE signs the attestation; only its public key verifies it', async () => {
        const sk = await setup();
        const attestKey = await f.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'attest-ec' });
        // What the issuer registered for this device (e.g. at manufacture): the public key only.
        const registered = await f.se.getPublicKey(attestKey);
        const s = await f.se.beginProvisioning(issuer, attestKey);
        for (const op of operations()) s.stage(op);
        const att = await s.commit(nonce);
        expect(att.algorithm).toBe('ECDSA-P256-SHA256');
        const expected = { issuer, nonce, operations: operations() };
        expect(await verifyProvisioningAttestation(att, expected, { publicKey: registered })).toBe(true);
        expect(await verifyProvisioningAttestation(att, expected, { se: f.se, key: attestKey })).toBe(true);
        // another device's key, an altered transcript, an HMAC key, and a downgrade of the algorithm all fail
        const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
        expect(await verifyProvisioningAttestation(att, expected, { publicKey: other })).toBe(false);
        expect(
          await verifyProvisioningAttestation(
            att,
            { ...expected, nonce: unhex('00'.repeat(16)) },
            { publicKey: registered },
          ),
        ).toBe(false);
        expect(await verifyProvisioningAttestation(att, expected, sessionKeyRaw)).toBe(false);
        expect(
          await verifyProvisioningAttestation({ ...att, algorithm: 'HMAC-SHA-256' }, expected, {
            publicKey: registered,
          }),
        ).toBe(false);
        // an HMAC attestation is not accepted where the issuer expects the device's signature
        const s2 = await f.se.beginProvisioning(issuer, sk);
        s2.stage({ op: 'write-credential', label: 'cert:x', value: enc('x') });
        const hmacAtt = await s2.commit(nonce);
        expect(
          await verifyProvisioningAttestation(
            hmacAtt,
            { issuer, nonce, operations: [{ op: 'write-credential', label: 'cert:x', value: enc('x') }] },
            { publicKey: registered },
          ),
        ).toBe(false);
      });

      it('stages invisibly, commits all at once, and the issuer verifies the attestation', async () => {
        const sk = await setup();
        const s = await f.se.beginProvisioning(issuer, sk);
        for (const op of operations()) s.stage(op);
        expect(await f.se.getKey('Kpsa-new@mef.example.com')).toBeUndefined();
        expect(await f.se.getKey('device-ec')).toBeUndefined();
        expect(await f.se.getKey('retired')).toBeDefined();
        expect((await f.se.getKey('old-kpsa'))?.label).toBe('old');
        expect(await f.se.readCredential('cert:new')).toBeUndefined();
        const att = await s.commit(nonce);
        expect(s.state).toBe('committed');
        expect(att).toMatchObject({ version: 1, issuer, sessionId: s.id, operationCount: 7 });
        expect(Object.keys(att.publicKeys)).toEqual(['device-ec']);
        expect(
          await verifyProvisioningAttestation(att, { issuer, nonce, operations: operations() }, sessionKeyRaw),
        ).toBe(true);
        expect(
          await verifyProvisioningAttestation(att, { issuer, nonce, operations: operations() }, { se: f.se, key: sk }),
        ).toBe(true);
        expect(
          await verifyProvisioningAttestation(
            att,
            { issuer, nonce: unhex('00'.repeat(16)), operations: operations() },
            sessionKeyRaw,
          ),
        ).toBe(false);
        expect(
          await verifyProvisioningAttestation(att, { issuer: 'other', nonce, operations: operations() }, sessionKeyRaw),
        ).toBe(false);
        const altered = operations();
        altered[0] = { ...altered[0], material: unhex('34'.repeat(32)) } as ProvisioningOperation;
        expect(await verifyProvisioningAttestation(att, { issuer, nonce, operations: altered }, sessionKeyRaw)).toBe(
          false,
        );
        expect(
          await verifyProvisioningAttestation(att, { issuer, nonce, operations: operations().slice(1) }, sessionKeyRaw),
        ).toBe(false);
        expect(
          await verifyProvisioningAttestation(
            { ...att, publicKeys: {} },
            { issuer, nonce, operations: operations() },
            sessionKeyRaw,
          ),
        ).toBe(false);
        expect(
          await verifyProvisioningAttestation(att, { issuer, nonce, operations: operations() }, unhex('5b'.repeat(32))),
        ).toBe(false);
        // the attested public key is the one the SE signs with
        expect(Buffer.from(await f.se.getPublicKey('device-ec')).toString('base64url')).toBe(
          att.publicKeys['device-ec'],
        );
        const check = async (se: SecureEnvironment) => {
          expect(hex(await se.exportPskForTls('Kpsa-new@mef.example.com'))).toBe('33'.repeat(32));
          expect(await se.getKey('aes-new')).toMatchObject({ algorithm: 'AES', length: 32 });
          expect((await se.getKey('old-kpsa'))?.label).toBe('renamed');
          expect(await se.getKey('retired')).toBeUndefined();
          expect(new TextDecoder().decode(await se.readCredential('cert:new'))).toBe('new cert');
          expect(await se.readCredential('cert:old')).toBeUndefined();
        };
        await check(f.se);
        await check(await f.reopen());
        await rejectsWith(s.commit(nonce), 'SESSION_STATE');
      });

      it('abort leaves nothing behind', async () => {
        const sk = await setup();
        const before = (await f.se.listKeys()).map((k) => k.id).sort();
        const s = await f.se.beginProvisioning(issuer, sk);
        for (const op of operations()) s.stage(op);
        await s.abort();
        expect(s.state).toBe('aborted');
        expect(() => s.stage({ op: 'delete-key', id: 'old-kpsa' })).toThrow(SecureEnvironmentError);
        const se = await f.reopen();
        expect((await se.listKeys()).map((k) => k.id).sort()).toEqual(before);
        expect(await se.readCredential('cert:new')).toBeUndefined();
      });

      it('a commit that cannot apply every operation applies none', async () => {
        const sk = await setup();
        const before = (await f.se.listKeys()).map((k) => `${k.id}/${k.label}`).sort();
        const s = await f.se.beginProvisioning(issuer, sk);
        for (const op of operations()) s.stage(op);
        s.stage({ op: 'delete-key', id: 'does-not-exist' });
        await rejectsWith(s.commit(nonce), 'KEY_NOT_FOUND');
        expect(s.state).toBe('aborted');
        const s2 = await f.se.beginProvisioning(issuer, sk);
        s2.stage({
          op: 'import-key',
          spec: { algorithm: 'HMAC', usages: ['mac'], id: 'old-kpsa' },
          material: unhex('44'.repeat(32)),
        });
        await rejectsWith(s2.commit(nonce), 'KEY_EXISTS');
        for (const reopen of [false, true]) {
          const se = reopen ? await f.reopen() : f.se;
          expect((await se.listKeys()).map((k) => `${k.id}/${k.label}`).sort()).toEqual(before);
          expect(await se.readCredential('cert:old')).toBeDefined();
          expect(await se.readCredential('cert:new')).toBeUndefined();
        }
      });

      it('refuses bad sessions and bad staged operations precisely', async () => {
        const sk = await setup();
        // An EC-P256 signing key is an attestation key now (below); an AES key never is, and an HMAC key
        // must carry 'mac'.
        const aes = await f.se.generateKey({ algorithm: 'AES', length: 16, usages: ['encrypt'] });
        await rejectsWith(f.se.beginProvisioning(issuer, aes), 'INVALID_INPUT');
        const hmacDerive = await f.se.generateKey({ algorithm: 'HMAC', usages: ['derive'] });
        await rejectsWith(f.se.beginProvisioning(issuer, hmacDerive), 'USAGE_NOT_PERMITTED');
        await rejectsWith(f.se.beginProvisioning('', sk), 'INVALID_INPUT');
        const s = await f.se.beginProvisioning(issuer, sk);
        expect(() => s.stage({ op: 'generate-key', spec: { algorithm: 'HMAC', usages: ['mac'] } as never })).toThrow(
          /explicit key id/,
        );
        expect(() => s.stage({ op: 'generate-key', spec: { algorithm: 'HMAC', usages: ['sign'], id: 'x' } })).toThrow(
          /not valid/,
        );
        s.stage({ op: 'delete-key', id: 'retired' });
        expect(() => s.stage({ op: 'update-key', id: 'retired', label: 'x' })).toThrow(/already stages/);
        await rejectsWith(s.commit(new Uint8Array(2)), 'INVALID_INPUT');
      });
    });
  });
}
