// Remote provisioning of end-to-end credentials (TS-0003 8.6) and the key derivations it uses (10.3.6,
// 10.3.7), each cross-checked against `openssl kdf` / `openssl mac` inside the test.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { decryptCompact, encryptCompact, keyResolver } from '@m2msec/esdata';
import { describe, expect, it } from 'vitest';
import {
  deriveE2EKeys,
  E2ECredentialRegistry,
  ESPrimOriginator,
  ESPrimReceiver,
  generateSourceCredential,
  mefProvisionedKey,
  PairwiseESPrimKeys,
  rspfE2EKeys,
} from '../src/index.js';
import { opensslHmacSha256 } from './helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
function opensslHkdf(mode: 'EXTRACT_ONLY' | 'EXPAND_ONLY', key: Uint8Array, saltOrInfo: Uint8Array): string {
  const opt = mode === 'EXTRACT_ONLY' ? `hexsalt:${hex(saltOrInfo)}` : `hexinfo:${hex(saltOrInfo)}`;
  const r = spawnSync(
    'openssl',
    [
      'kdf',
      '-keylen',
      '32',
      '-kdfopt',
      'digest:SHA256',
      '-kdfopt',
      `mode:${mode}`,
      '-kdfopt',
      `hexkey:${hex(key)}`,
      '-kdfopt',
      opt,
      'HKDF',
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (r.status !== 0) throw new Error(`openssl kdf failed: ${r.stderr}`);
  return r.stdout.replace(/[:\s]/g, '').toLowerCase();
}

describe('TS-0003 10.3.6: Ke2e_master and its expansion, against openssl', () => {
  const kpsa = Buffer.from('0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000', 'hex');
  const source = '/id-mn/Cae1';
  const k = rspfE2EKeys(kpsa, source);

  it('Ke2e_master = HMAC-SHA256(Salt = Source-ID, Kpsa) = HKDF-Extract', () => {
    expect(hex(k.ke2eMaster)).toBe(opensslHkdf('EXTRACT_ONLY', kpsa, Buffer.from(source)));
    expect(hex(k.ke2eMaster)).toBe(opensslHmacSha256(Buffer.from(source), kpsa));
    expect(hex(k.ke2eMaster)).toBe('7957650263352e6a451cb8999a88ac33ff04e3f26ed886c3fb978ee7843c1215');
  });

  it('T(1) = HKDF-Expand(master, "E2E Message Authentication Key"); T(2..4) chained with their labels', () => {
    expect(hex(k.msgAuth)).toBe(
      opensslHkdf('EXPAND_ONLY', k.ke2eMaster, Buffer.from('E2E Message Authentication Key')),
    );
    const t = (prev: Buffer, label: string, i: number) =>
      opensslHmacSha256(k.ke2eMaster, Buffer.concat([prev, Buffer.from(label), Buffer.of(i)]));
    expect(hex(k.msgConf)).toBe(t(k.msgAuth, 'E2E Message Confidentiality Key', 2));
    expect(hex(k.attAuth)).toBe(t(k.msgConf, 'E2E Attribute Authenticity Key', 3));
    expect(hex(k.attConf)).toBe(t(k.attAuth, 'E2E Attribute Confidentiality Key', 4));
    expect(hex(k.attConf)).toBe('8c862b9c23d63abb8f02bad4f29214b8e27d8f4fcb928ab8be523239a3e00397');
  });
});

describe('TS-0003 10.3.7 for the RSPF end-to-end usages (SUID 23, 24, 25), against openssl', () => {
  it('HMAC-SHA-256(Ke, label || SUID || Enrolment-Target-ID), one key per usage', () => {
    const ke = randomBytes(32);
    const target = 'id-in.m2msec.org';
    const label = 'oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation';
    for (const suid of [23, 24, 25] as const) {
      expect(hex(mefProvisionedKey(ke, suid, target))).toBe(
        opensslHmacSha256(ke, Buffer.from(`${label}${suid}${target}`)),
      );
    }
    expect(() => mefProvisionedKey(ke, 22 as 23, target)).toThrow(/not an RSPF end-to-end usage/);
  });

  it('a MEF-provisioned key (SUID 23) as pairwiseESPrimKey: Source and Target protect and open a primitive', async () => {
    const ke = randomBytes(32);
    const sourceKey = mefProvisionedKey(ke, 23, 'id-in.m2msec.org'); // the AE derives it from its Ke
    const targetKey = mefProvisionedKey(ke, 23, 'id-in.m2msec.org'); // the IN-CSE fetches it from the MEF
    const keys = new PairwiseESPrimKeys();
    keys.add({ kid: 'ab12@mef.m2msec.org', key: targetKey, identity: '/id-mn/Cae1' });
    const receiver = new ESPrimReceiver({ keys });
    const o = new ESPrimOriginator({ kid: 'ab12@mef.m2msec.org', pairwiseESPrimKey: sourceKey });
    o.startSession(receiver.issueRandObject());
    const { inner } = await receiver.unprotectRequest(
      o.protectRequest({ op: 2, to: '/id-in/cse-in', fr: '/id-mn/Cae1', rqi: 'x', rvi: '3' }),
    );
    expect(inner.rqi).toBe('x');
  });
});

describe('TS-0003 8.6.3: Source-generated credentials through a Trust Enabling Function', () => {
  it('registered by the Source, provisioned only to the Targets it named; ESData made with it opens at a Target', async () => {
    const tef = new E2ECredentialRegistry();
    const { registration, keys } = generateSourceCredential({
      sourceId: '/id-mn/Cae1',
      targetIds: ['/id-in/Capp1', '/id-in/Capp2'],
      tefFqdn: 'mef.m2msec.org',
    });
    expect(registration.credentialId).toMatch(/^14-[0-9a-f]{16}@mef\.m2msec\.org$/);
    expect(() => tef.register('/id-mn/Cevil', registration)).toThrow(expect.objectContaining({ rsc: 4103 }));
    tef.register('/id-mn/Cae1', registration);
    expect(() => tef.register('/id-mn/Cae1', registration)).toThrow(expect.objectContaining({ rsc: 4105 }));
    // The Source protects a contentInstance's con for several Targets with Ke2e_att_conf.
    const con = await encryptCompact(
      '{"reading":42}',
      { kid: registration.credentialId, alg: 'dir', key: keys.attConf },
      'A256GCM',
    );
    const got = tef.provision('/id-in/Capp2', registration.credentialId);
    expect(got.sourceId).toBe('/id-mn/Cae1');
    const opened = await decryptCompact(con, keyResolver([{ kid: registration.credentialId, key: got.keys.attConf }]));
    expect(Buffer.from(opened.plaintext).toString()).toBe('{"reading":42}');
    expect(() => tef.provision('/id-in/Cother', registration.credentialId)).toThrow(
      expect.objectContaining({ rsc: 4103 }),
    );
    expect(() => tef.provision('/id-in/Capp1', '14-unknown@mef.m2msec.org')).toThrow(
      expect.objectContaining({ rsc: 4004 }),
    );
  });

  it('the same random value with another Source-ID (Salt) gives other keys', () => {
    const r = randomBytes(32);
    expect(deriveE2EKeys(r, '/id-mn/Ca').attConf.equals(deriveE2EKeys(r, '/id-mn/Cb').attConf)).toBe(false);
  });
});
