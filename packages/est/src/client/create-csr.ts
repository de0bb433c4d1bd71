// Builds a TS-0003 10.1.4 CSR with @peculiar/x509: P-256 key, ecdsa-with-SHA256, the SAN in an
// extensionRequest, and (optionally) the channel binding in challengePassword (RFC 7030 3.5).
// The key is a WebCrypto key pair or an SE key: for the SE, x509 is given a crypto provider whose
// sign() is SecureEnvironment.sign, so the private key stays in the SE.
import { webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
type Crypto = webcrypto.Crypto;

import type { KeyRef, SecureEnvironment } from '@m2msec/secure-environment';
import { oid, seq } from '../lib/der.js';
import type { GeneralName } from '../lib/general-names.js';
import { OID } from '../lib/oids.js';
import { x509 } from '../lib/x509.js';
import { type ChannelBinding, channelBindingPassword } from '../tls/channel-binding.js';

export type CsrKey = { readonly se: SecureEnvironment; readonly key: KeyRef } | CryptoKeyPair;

export interface CsrOptions {
  readonly key: CsrKey;
  /** RFC 4514 subject; default empty (the SAN then names the subject). */
  readonly subject?: string;
  readonly subjectAltName: readonly GeneralName[];
  /** The channel binding (from simpleEnroll's callback) or a literal challengePassword. */
  readonly challengePassword?: ChannelBinding | string;
  /**
   * serverkeygen: have the server encrypt the generated key (RFC 7030 4.4.1) to a pre-shared key
   * (DecryptKeyIdentifier, 4.4.1.1) or to the client's certificate key (AsymmetricDecryptKeyIdentifier,
   * 4.4.1.2, the key identifier of the TLS client certificate).
   */
  readonly keyEncryption?: { readonly kind: 'symmetric' | 'asymmetric'; readonly keyIdentifier: Uint8Array };
  /**
   * With keyEncryption: the SMIMECapabilities the request carries (RFC 7030 4.4.1 "MUST also include"),
   * capability OIDs in order of preference. Default id-aes256-wrap, id-RSAES-OAEP; [] omits the attribute.
   */
  readonly smimeCapabilities?: readonly string[];
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function createCsr(o: CsrOptions): Promise<Uint8Array> {
  const { keys, crypto } = await resolveKey(o.key);
  const attributes: x509.Attribute[] = [];
  if (o.challengePassword !== undefined) {
    const pw =
      typeof o.challengePassword === 'string' ? o.challengePassword : channelBindingPassword(o.challengePassword);
    attributes.push(new x509.ChallengePasswordAttribute(pw));
  }
  if (o.keyEncryption) {
    const id = o.keyEncryption.keyIdentifier;
    if (id.length === 0 || id.length > 127) throw new Error('a key identifier is 1 to 127 bytes');
    const octets = new Uint8Array([0x04, id.length, ...id]); // OCTET STRING
    const type = o.keyEncryption.kind === 'symmetric' ? OID.decryptKeyIdentifier : OID.asymmetricDecryptKeyIdentifier;
    attributes.push(new x509.Attribute(type, [octets.buffer]));
    const caps = o.smimeCapabilities ?? [OID.aes256Wrap, OID.rsaesOaep];
    if (caps.length > 0) attributes.push(new x509.Attribute(OID.smimeCapabilities, [smimeCapabilities(caps)]));
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      ...(o.subject ? { name: o.subject } : {}),
      keys,
      signingAlgorithm: SIGN,
      extensions: [
        new x509.SubjectAlternativeNameExtension(
          o.subjectAltName.map((n) => ({ type: n.type === 'dns' ? 'dns' : 'url', value: n.value })),
        ),
      ],
      attributes,
    },
    crypto,
  );
  return new Uint8Array(csr.rawData);
}

async function resolveKey(k: CsrKey): Promise<{ keys: CryptoKeyPair; crypto: Crypto }> {
  if (!('se' in k)) return { keys: k, crypto: webcrypto as unknown as Crypto };
  const { se, key } = k;
  const publicKey = await webcrypto.subtle.importKey('spki', await se.getPublicKey(key), EC, true, ['verify']);
  const privateKey = { algorithm: EC, type: 'private', extractable: false, usages: ['sign'] } as unknown as CryptoKey;
  const subtle = {
    exportKey: (format: 'spki', key: CryptoKey) => webcrypto.subtle.exportKey(format, key),
    sign: async (_alg: unknown, _key: CryptoKey, data: webcrypto.BufferSource) => {
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data as ArrayBuffer);
      const sig = await se.sign(key, bytes);
      return sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.byteLength);
    },
  };
  const crypto = { subtle, getRandomValues: webcrypto.getRandomValues.bind(webcrypto) } as unknown as Crypto;
  return { keys: { publicKey: publicKey as unknown as CryptoKey, privateKey }, crypto };
}

/** DER SMIMECapabilities: SEQUENCE OF SEQUENCE { capabilityID } (no parameters). */
function smimeCapabilities(oids: readonly string[]): ArrayBuffer {
  const der = seq(...oids.map((o) => seq(oid(o))));
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
}
