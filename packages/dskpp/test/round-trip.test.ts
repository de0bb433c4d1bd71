import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { verifyProvisioningAttestation } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_TYPE_HMAC_SHA256, keyContainerLabel, MAC_DSKPP_PRF_SHA256 } from '../src/index.js';
import { clientFor, type Harness, openSe, pskctoolValidate, serverTag, startServer } from './helpers.js';

describe.each(['stateful', 'stateless'] as const)('DSKPP over HTTP (%s server)', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({
      mode,
      ...(mode === 'stateless' ? { stateKeys: [{ id: 1, key: new Uint8Array(randomBytes(32)) }] } : {}),
    });
  });
  afterAll(() => h.close());

  it('4-pass: both ends hold the same key, KeyContainer passes pskctool --validate, nothing secret in it', async () => {
    const { se } = await openSe();
    const result = await clientFor(h, se).fourPass();
    expect(result.variant).toBe('four-pass');
    expect(result.keyContainer.issuer).toBe('mef.m2msec.example');
    expect(result.keyContainer.encrypted).toBeUndefined();
    expect(result.keyContainerXml).not.toMatch(/Secret|PlainValue|EncryptedValue/);

    const v = pskctoolValidate(result.keyContainerXml);
    expect(v.ok, v.output).toBe(true);
    expect(v.unknown).toEqual([]);
    // Negative control: the same container without the required Key/@Id fails validation.
    expect(pskctoolValidate(result.keyContainerXml.replace(/ Id="[^"]*"/, '')).ok).toBe(false);

    const challenge = new Uint8Array(randomBytes(32));
    const clientTag = Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex');
    expect(clientTag).toBe(serverTag(h.keys, result.keyId, challenge));

    // The KeyContainer was committed with the key, and the attestation verifies for the issuer.
    expect(Buffer.from((await se.readCredential(keyContainerLabel(result.keyId))) ?? []).toString()).toBe(
      result.keyContainerXml,
    );
    expect(result.attestation.issuer).toBe('mef.m2msec.example');
    await se.close();
  });

  it('4-pass with an HMAC-SHA-256 key and DSKPP-PRF-SHA256', async () => {
    const { se } = await openSe();
    const result = await clientFor(h, se, {
      keyTypes: [KEY_TYPE_HMAC_SHA256],
      macAlgorithms: [MAC_DSKPP_PRF_SHA256],
    }).fourPass();
    expect(result.keyContainer.algorithm).toBe(KEY_TYPE_HMAC_SHA256);
    expect(result.key.length).toBe(32);
    const challenge = new Uint8Array(randomBytes(32));
    expect(Buffer.from(await se.mac(result.key, challenge)).toString('hex')).toBe(
      serverTag(h.keys, result.keyId, challenge),
    );
    await se.close();
  });

  it('2-pass key wrap: the KeyContainer carries the wrapped key, passes pskctool, same key on both ends', async () => {
    const { se } = await openSe();
    const result = await clientFor(h, se).twoPass();
    expect(result.variant).toBe('two-pass');
    expect(result.keyContainer.encrypted?.keyName).toBe(h.record.sharedKey.name);
    const v = pskctoolValidate(result.keyContainerXml);
    expect(v.ok, v.output).toBe(true);
    // libpskc's parser (not the schema validator) has no encrypted-value support; nothing else is unknown.
    expect(v.unknown).toEqual(['KeyContainer/EncryptionKey', 'Secret/EncryptedValue']);
    const challenge = new Uint8Array(randomBytes(32));
    expect(Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex')).toBe(
      serverTag(h.keys, result.keyId, challenge),
    );
    await se.close();
  });
});

describe('2-pass K_PROV layout (RFC 6063 5.2.2)', () => {
  it('an AES-128 key with DSKPP-PRF-SHA256: K_PROV is 64 octets, K_TOKEN the first 16 of its second half', async () => {
    const h = await startServer({ mode: 'stateful' });
    try {
      const { se } = await openSe();
      const result = await clientFor(h, se, { macAlgorithms: [MAC_DSKPP_PRF_SHA256] }).twoPass();
      // openssl unwraps the CipherValue with K_SHARED: "the greater length of the two" (32 for SHA-256) per half.
      const cipher = result.keyContainer.encrypted!.cipherValue;
      const r = spawnSync(
        'openssl',
        [
          'enc',
          '-d',
          '-id-aes128-wrap',
          '-K',
          Buffer.from(h.record.sharedKey.key).toString('hex'),
          '-iv',
          'A6A6A6A6A6A6A6A6',
        ],
        { input: Buffer.from(cipher) },
      );
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(r.stdout.length).toBe(64);
      const challenge = new Uint8Array(randomBytes(32));
      const tag = Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex');
      expect(tag).toBe(serverTag(h.keys, result.keyId, challenge));
      // The device's key is bytes 32..47 of K_PROV: recompute its CMAC with openssl.
      const kToken = r.stdout.subarray(32, 48);
      const o = spawnSync(
        'openssl',
        ['mac', '-cipher', 'AES-128-CBC', '-macopt', `hexkey:${kToken.toString('hex')}`, 'CMAC'],
        {
          input: Buffer.from(challenge),
        },
      );
      expect(o.stdout.toString().trim().toLowerCase()).toBe(tag);
      await se.close();
    } finally {
      await h.close();
    }
  });
});

describe('provisioning attestation', () => {
  it('the issuer verifies the SE attestation of the stored key', async () => {
    const h = await startServer();
    try {
      const { se } = await openSe();
      const result = await clientFor(h, se).fourPass();
      const att = result.attestation;
      expect(att.operationCount).toBe(2);
      // The MEF knows K_TOKEN and the KeyContainer it sent, so it can rebuild the staged operations.
      const serverKey = h.keys.keys.get(result.keyId);
      const ok = await verifyProvisioningAttestation(
        att,
        {
          issuer: 'mef.m2msec.example',
          nonce: Buffer.from(att.nonce, 'base64url'),
          operations: [
            {
              op: 'import-key',
              spec: { id: result.keyId, algorithm: 'AES', usages: ['mac'], label: 'dskpp:mef.m2msec.example' },
              material: serverKey?.secret ?? new Uint8Array(),
            },
            {
              op: 'write-credential',
              label: keyContainerLabel(result.keyId),
              value: Buffer.from(result.keyContainerXml),
            },
          ],
        },
        new Uint8Array(32).fill(7),
      );
      expect(ok).toBe(true);
      await se.close();
    } finally {
      await h.close();
    }
  });
});
