// Public-key 4-pass profile (docs/dskpp.md): R_C is a key-encryption key RSA-OAEP encrypted to the
// server certificate from KeyProvServerHello; the server returns K_PROV wrapped under R_C. Real HTTP,
// certificates from the openssl CLI, the KeyContainer checked by pskctool, and the MITM attacks the
// profile must resist: a substituted certificate, a downgrade to the pre-shared-key profile, a tampered
// EncryptedNonce.
import { constants, privateDecrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DskppError,
  decodeMessage,
  ENC_KW_AES128,
  ENC_RSA_OAEP,
  httpTransport,
  KEY_NAME_CLIENT_NONCE,
  keyContainerLabel,
} from '../src/index.js';
import { makePki, type Pki } from './certs.js';
import {
  clientFor,
  type Harness,
  openSe,
  pskctoolValidate,
  run,
  serverTag,
  startServer,
  writeTemp,
} from './helpers.js';

const SERVER_NAME = 'mef.m2msec.example';

/** Replaces the certificate inside a KeyProvServerHello (what a man in the middle would do). */
function substituteCertificate(helloXml: string, pem: string): string {
  const der = pem.replace(/-----[^-]+-----|\s/g, '');
  return helloXml.replace(/(<ds:X509Certificate>)[^<]*(<\/ds:X509Certificate>)/, `$1${der}$2`);
}

describe.each(['stateful', 'stateless'] as const)('public-key 4-pass (%s server)', (mode) => {
  let pki: Pki;
  let h: Harness;
  const trust = () => ({ anchors: [pki.caPem], serverName: SERVER_NAME });
  beforeAll(async () => {
    pki = makePki(SERVER_NAME);
    h = await startServer({
      mode,
      ...(mode === 'stateless' ? { stateKeys: [{ id: 1, key: new Uint8Array(randomBytes(32)) }] } : {}),
      publicKeyTransport: { certificate: pki.serverCertPem, privateKey: pki.serverKeyPem },
    });
  }, 60_000);
  afterAll(() => h.close());

  it('provisions a server-generated key wrapped under R_C: same key on both ends, pskctool accepts it', async () => {
    const { se } = await openSe();
    const seen: string[] = [];
    const toServer = httpTransport(h.url);
    const result = await clientFor(h, se, {
      sharedKey: undefined, // the profile needs no K_SHARED on the device
      serverTrust: trust(),
      transport: async (xml) => {
        const answer = await toServer(xml);
        seen.push(answer);
        return answer;
      },
    }).fourPassPublicKey();

    const hello = decodeMessage(seen[0] as string);
    expect(hello.type === 'KeyProvServerHello' && hello.encryptionAlgorithm).toBe(ENC_RSA_OAEP);
    expect(hello.type === 'KeyProvServerHello' && hello.encryptionCertificate?.length).toBeGreaterThan(500);
    expect(result.keyContainer.encrypted?.keyName).toBe(KEY_NAME_CLIENT_NONCE);
    expect(result.keyContainer.encrypted?.algorithm).toBe(ENC_KW_AES128);

    const v = pskctoolValidate(result.keyContainerXml);
    expect(v.ok, v.output).toBe(true);
    // Negative control: pskctool does fail a container without Key/@Id.
    expect(pskctoolValidate(result.keyContainerXml.replace(/ Id="[^"]*"/, '')).ok).toBe(false);

    const challenge = new Uint8Array(randomBytes(32));
    const clientTag = Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex');
    expect(clientTag).toBe(serverTag(h.keys, result.keyId, challenge));
    expect(await se.readCredential(keyContainerLabel(result.keyId))).toBeDefined();
    await se.close();
  });

  it('EncryptedNonce is RSA-OAEP (SHA-1) under the certificate key: openssl pkeyutl decrypts it to 16 bytes', async () => {
    const { se } = await openSe();
    let nego = '';
    const toServer = httpTransport(h.url);
    await clientFor(h, se, {
      serverTrust: trust(),
      transport: (xml) => {
        if (decodeMessage(xml).type === 'KeyProvClientNonce') nego = xml;
        return toServer(xml);
      },
    }).fourPassPublicKey();
    const m = decodeMessage(nego);
    if (m.type !== 'KeyProvClientNonce') throw new Error('no nego');
    const key = writeTemp('server.key', pki.serverKeyPem);
    const enc = writeTemp('nonce.bin', m.encryptedNonce);
    const out = writeTemp('nonce.out', '');
    const r = run('openssl', [
      'pkeyutl',
      '-decrypt',
      '-inkey',
      key,
      '-in',
      enc,
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
    expect(readFileSync(out).length).toBe(16);
    await se.close();
  });

  it.each([
    ['a certificate from another CA for the same name', (p: Pki) => p.rogueCertPem],
    ['a self-signed certificate for the same name', (p: Pki) => p.selfSignedPem],
    ['a certificate of the real CA for another name', (p: Pki) => p.otherNamePem],
  ])('the client rejects %s before sending anything encrypted to it', async (_what, pick) => {
    const { se } = await openSe();
    const toServer = httpTransport(h.url);
    const sent: string[] = [];
    const err = await clientFor(h, se, {
      serverTrust: trust(),
      transport: async (xml) => {
        sent.push(decodeMessage(xml).type);
        const answer = await toServer(xml);
        return decodeMessage(answer).type === 'KeyProvServerHello' ? substituteCertificate(answer, pick(pki)) : answer;
      },
    })
      .fourPassPublicKey()
      .catch((e) => e);
    expect(err).toBeInstanceOf(DskppError);
    expect(err.reason).toBe('ServerCertificateRejected');
    expect(sent).toEqual(['KeyProvClientHello']); // R_C never left the device
    expect((await se.listKeys()).map((k) => k.id)).toEqual(['attest']);
    await se.close();
  });

  it('without the certificate check the substitution would work: the attacker decrypts R_C (why the check matters)', async () => {
    // The attack the test above defends against, run against a client that trusts the rogue CA.
    const { se } = await openSe();
    const toServer = httpTransport(h.url);
    let captured: Uint8Array | undefined;
    await clientFor(h, se, {
      serverTrust: { anchors: [pki.rogueCaPem], serverName: SERVER_NAME },
      transport: async (xml) => {
        const m = decodeMessage(xml);
        if (m.type === 'KeyProvClientNonce') {
          captured = m.encryptedNonce;
          throw new Error('stop');
        }
        const answer = await toServer(xml);
        return substituteCertificate(answer, pki.rogueCertPem);
      },
    })
      .fourPassPublicKey()
      .catch(() => undefined);
    const rc = privateDecrypt(
      { key: pki.rogueKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      captured as Uint8Array,
    );
    expect(rc.length).toBe(16);
    await se.close();
  });

  it('a downgrade of the hello to the pre-shared-key profile is refused by the client', async () => {
    const { se } = await openSe();
    const toServer = httpTransport(h.url);
    const err = await clientFor(h, se, {
      serverTrust: trust(),
      transport: async (xml) => {
        const answer = await toServer(xml);
        return answer.replace(ENC_RSA_OAEP, ENC_KW_AES128);
      },
    })
      .fourPassPublicKey()
      .catch((e) => e);
    expect(err.reason).toBe('UnexpectedResponse');
    await se.close();
  });

  it('an altered EncryptedNonce is InitializationFailed, and nothing is provisioned', async () => {
    const { se } = await openSe();
    const toServer = httpTransport(h.url);
    const before = h.keys.keys.size;
    const err = await clientFor(h, se, {
      serverTrust: trust(),
      transport: (xml) =>
        toServer(xml.replace(/(<dskpp:EncryptedNonce>)(.)/, (_m, a, c) => `${a}${c === 'A' ? 'B' : 'A'}`)),
    })
      .fourPassPublicKey()
      .catch((e) => e);
    expect([err.status, err.fromPeer]).toEqual(['InitializationFailed', true]);
    expect(h.keys.keys.size).toBe(before);
    await se.close();
  });
});

describe('public-key 4-pass negotiation', () => {
  it('a server without a certificate answers NoSupportedEncryptionAlgorithms', async () => {
    const pki = makePki(SERVER_NAME);
    const h = await startServer({ mode: 'stateful' });
    try {
      const { se } = await openSe();
      const err = await clientFor(h, se, { serverTrust: { anchors: [pki.caPem], serverName: SERVER_NAME } })
        .fourPassPublicKey()
        .catch((e) => e);
      expect([err.status, err.fromPeer]).toEqual(['NoSupportedEncryptionAlgorithms', true]);
      await se.close();
    } finally {
      await h.close();
    }
  }, 60_000);
});
