// The proof of successful provisioning sent back to the issuer (docs/dskpp.md sections 2 and 3): a MAC
// computed in the device's SE with the new key, and the SE's attestation of the provisioning session.
// Here the device SE is PKCS#11 (SoftHSM2) and its attestation key an EC-P256 key generated in the token
// (CKA_EXTRACTABLE false, read back with OpenSC's pkcs11-tool); the MEF holds only its public key.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  initSoftHsm2Token,
  openPkcs11SecureEnvironment,
  type SecureEnvironment,
  SOFTHSM2_LIBRARY,
} from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemoryProvisionedKeyStore, postConfirmation } from '../src/index.js';
import { makePki, type Pki } from './certs.js';
import { clientFor, clientRecord, type Harness, openSe, startServer, tmp } from './helpers.js';

const SERVER_NAME = 'mef.m2msec.example';

function softHsmToken() {
  const dir = tmp('hsm');
  const tokenLabel = `dskpp-${randomBytes(3).toString('hex')}`;
  const pin = '246810';
  const { configPath } = initSoftHsm2Token({ dir, label: tokenLabel, soPin: '13579135', pin });
  process.env.SOFTHSM2_CONF = configPath;
  return { library: SOFTHSM2_LIBRARY, tokenLabel, pin, configPath };
}

describe('provisioning confirmation with the proof made by the device SE (PKCS#11)', () => {
  let pki: Pki;
  let h: Harness;
  let token: ReturnType<typeof softHsmToken>;
  let se: SecureEnvironment;
  let registered: Uint8Array;
  beforeAll(async () => {
    pki = makePki(SERVER_NAME);
    token = softHsmToken();
    se = await openPkcs11SecureEnvironment(token);
    const attest = await se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'attest' });
    registered = await se.getPublicKey(attest); // registered with the MEF at manufacture
    h = await startServer({
      mode: 'stateless',
      stateKeys: [{ id: 1, key: new Uint8Array(randomBytes(32)) }],
      publicKeyTransport: { certificate: pki.serverCertPem, privateKey: pki.serverKeyPem },
      record: { ...clientRecord(), attestationPublicKey: registered },
    });
  }, 60_000);
  afterAll(async () => {
    await se?.close();
    await h?.close();
  });

  it('the MEF accepts the proof: MAC under the new key and ECDSA attestation by the token-held key', async () => {
    const client = clientFor(h, se, { serverTrust: { anchors: [pki.caPem], serverName: SERVER_NAME } });
    const result = await client.fourPassPublicKey();
    expect(result.attestation.algorithm).toBe('ECDSA-P256-SHA256');
    const confirmation = await client.confirmation(result);
    expect(await postConfirmation(h.url, confirmation)).toEqual({
      confirmed: true,
      keyId: result.keyId,
      alreadyConfirmed: false,
    });
    expect((h.keys as MemoryProvisionedKeyStore).keys.get(result.keyId)?.confirmedAt).toBeTypeOf('number');
    // idempotent, and says so
    expect(await postConfirmation(h.url, confirmation)).toMatchObject({ confirmed: true, alreadyConfirmed: true });

    // The attestation key, as OpenSC reads it from the token: sensitive, never extractable, made there.
    const list = spawnSync(
      'pkcs11-tool',
      [
        '--module',
        token.library,
        '--token-label',
        token.tokenLabel,
        '--login',
        '--pin',
        token.pin,
        '--list-objects',
        '--type',
        'privkey',
      ],
      { env: { ...process.env, SOFTHSM2_CONF: token.configPath } },
    );
    const entry = `${list.stdout}`.split(/\n(?=\S)/).find((o) => o.includes('"id":"attest"')) ?? '';
    expect(entry).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
  });

  it('refuses an altered MAC, an unknown key, and an attestation by any other key', async () => {
    const client = clientFor(h, se, { serverTrust: { anchors: [pki.caPem], serverName: SERVER_NAME } });
    const result = await client.fourPassPublicKey();
    const good = await client.confirmation(result);
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const refused = { confirmed: false, reason: 'the confirmation did not verify' };
    expect(await postConfirmation(h.url, { ...good, mac: flip(good.mac) })).toEqual(refused);
    expect(await postConfirmation(h.url, { ...good, keyId: 'f'.repeat(32) })).toEqual(refused);

    // Host software that holds K_TOKEN could make the MAC, but not the token's signature: an attestation
    // made by a software SE (HMAC session key, or its own EC key) over the same key is refused.
    for (const kind of ['hmac', 'ec'] as const) {
      const { se: soft } = await openSe();
      if (kind === 'ec') await soft.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'attest-ec' });
      const other = clientFor(h, soft, {
        serverTrust: { anchors: [pki.caPem], serverName: SERVER_NAME },
        attestationKey: kind === 'ec' ? 'attest-ec' : 'attest',
      });
      const r = await other.fourPassPublicKey();
      const c = await other.confirmation(r);
      expect(await postConfirmation(h.url, c)).toMatchObject({ confirmed: false });
      await soft.close();
    }
    // and the untouched proof still confirms
    expect(await postConfirmation(h.url, good)).toMatchObject({ confirmed: true });
  });

  it('a malformed confirmation is refused with a reason, never a crash', async () => {
    const res = await fetch(`${h.url}/confirmation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keyId: 1 }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      confirmed: false,
      reason: 'a confirmation needs keyId, mac, attestation and usages',
    });
    const bad = await fetch(`${h.url}/confirmation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
  });
});

describe('provisioning confirmation without a registered SE key (2-pass, MAC only)', () => {
  it('confirms on the MAC under K_TOKEN and refuses a wrong one', async () => {
    const h = await startServer({ mode: 'stateful' });
    try {
      const { se } = await openSe();
      const client = clientFor(h, se);
      const result = await client.twoPass();
      const c = await client.confirmation(result);
      expect(await postConfirmation(h.url, c)).toMatchObject({ confirmed: true });
      const other = await client.twoPass();
      const c2 = await client.confirmation(other);
      expect(await postConfirmation(h.url, { ...c2, mac: c.mac })).toMatchObject({ confirmed: false });
      await se.close();
    } finally {
      await h.close();
    }
  });
});
