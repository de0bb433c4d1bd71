// 2-pass key transport profile (RFC 6063 5.1.1): K_PROV = K_MAC || K_TOKEN RSA-OAEP encrypted to the
// device's public key, registered at the MEF under the KeyName the device names in its hello. The
// KeyContainer passes pskctool, openssl decrypts its CipherValue with the device key, and a hello
// naming another key (a man in the middle's) is refused: the MEF encrypts only to the registered key.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { aesCmac } from '@m2msec/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DskppError, ENC_RSA_OAEP, KPM_TRANSPORT } from '../src/index.js';
import {
  clientFor,
  clientRecord,
  type Harness,
  openSe,
  pskctoolValidate,
  run,
  serverTag,
  startServer,
  writeTemp,
} from './helpers.js';

describe.each(['stateful', 'stateless'] as const)('2-pass key transport (%s server)', (mode) => {
  const device = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const transportKey = {
    name: 'device-rsa-1',
    publicKey: device.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({
      mode,
      ...(mode === 'stateless' ? { stateKeys: [{ id: 1, key: new Uint8Array(randomBytes(32)) }] } : {}),
      record: { ...clientRecord(), transportKey },
    });
  });
  afterAll(() => h.close());
  const devicePem = () => device.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

  it('provisions K_TOKEN encrypted to the device key: same key on both ends, pskctool and openssl agree', async () => {
    const { se } = await openSe();
    const result = await clientFor(h, se, {
      sharedKey: undefined,
      transportKey: { name: transportKey.name, privateKey: devicePem() },
    }).twoPassTransport();
    expect(result.keyContainer.encrypted?.algorithm).toBe(ENC_RSA_OAEP);
    expect(result.keyContainer.encrypted?.keyName).toBe(transportKey.name);
    const v = pskctoolValidate(result.keyContainerXml);
    expect(v.ok, v.output).toBe(true);

    const challenge = new Uint8Array(randomBytes(32));
    const clientTag = Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex');
    expect(clientTag).toBe(serverTag(h.keys, result.keyId, challenge));

    // openssl decrypts the CipherValue with the device key: 32 bytes = K_MAC || K_TOKEN.
    const out = writeTemp('kprov.bin', '');
    const r = run('openssl', [
      'pkeyutl',
      '-decrypt',
      '-inkey',
      writeTemp('device.key', devicePem()),
      '-in',
      writeTemp('cv.bin', result.keyContainer.encrypted?.cipherValue ?? new Uint8Array()),
      '-out',
      out,
      '-pkeyopt',
      'rsa_padding_mode:oaep',
      '-pkeyopt',
      'rsa_oaep_md:sha1',
      '-pkeyopt',
      'rsa_mgf1_md:sha1',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const kProv = readFileSync(out);
    expect(kProv.length).toBe(32);
    // its second half is the key both ends hold
    expect(aesCmac(kProv.subarray(16), challenge).toString('hex')).toBe(clientTag);
    await se.close();
  });

  it('a hello naming another key (a MITM substituting his own) is refused; no key is provisioned', async () => {
    const { se } = await openSe();
    const before = h.keys.keys.size;
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // The AD MAC binds K, the client's public key (RFC 6063 3.4.1.2 b): another key fails it.
    const err = await clientFor(h, se, {
      transportKey: { name: 'attacker-key', privateKey: attacker.privateKey },
    })
      .twoPassTransport()
      .catch((e) => e);
    expect(err).toBeInstanceOf(DskppError);
    expect([err.status, err.fromPeer]).toEqual(['AuthenticationDataInvalid', true]);
    // The registered key under another name: the AD verifies, the name check refuses it.
    const renamed = await clientFor(h, se, { transportKey: { name: 'attacker-key', privateKey: devicePem() } })
      .twoPassTransport()
      .catch((e) => e);
    expect([renamed.status, renamed.fromPeer]).toEqual(['AccessDenied', true]);
    expect(h.keys.keys.size).toBe(before);
    await se.close();
  });

  it('a device holding the wrong private key is refused (its AD MAC binds its key) and stores nothing', async () => {
    const { se } = await openSe();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const err = await clientFor(h, se, {
      transportKey: { name: transportKey.name, privateKey: other.privateKey },
    })
      .twoPassTransport()
      .catch((e) => e);
    expect([err.status, err.fromPeer]).toEqual(['AuthenticationDataInvalid', true]);
    expect((await se.listKeys()).map((k) => k.id)).toEqual(['attest']);
    await se.close();
  });
});

it('a client without a registered transport key gets AccessDenied', async () => {
  const h = await startServer({ mode: 'stateful' });
  try {
    const { se } = await openSe();
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const err = await clientFor(h, se, { transportKey: { name: 'device-rsa-1', privateKey: k.privateKey } })
      .twoPassTransport()
      .catch((e) => e);
    expect([err.status, err.fromPeer]).toEqual(['AccessDenied', true]);
    expect(KPM_TRANSPORT).toBe('urn:ietf:params:xml:schema:keyprov:dskpp:transport');
    await se.close();
  } finally {
    await h.close();
  }
});
