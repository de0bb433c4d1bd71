// RFC 7030 4.4.2: a server-generated private key returned encrypted. "The private key is placed inside
// of a CMS SignedData [signed by the party that generated it], further protected by placing it inside
// of a CMS EnvelopedData" (RFC 5958 4): the AsymmetricKeyPackage (SEQUENCE OF OneAsymmetricKey,
// id-ct-KP-aKeyPackage) is signed first, so the client can tell the key came from its server and not
// from whoever holds the key-encryption key; the EnvelopedData's content type is then id-signedData.
// Two recipient kinds, as the CSR asked (4.4.1):
// - asymmetric (4.4.1.2): to the client's own certificate, the one it authenticated with in TLS,
//   whose subjectKeyIdentifier is the AsymmetricDecryptKeyIdentifier (KeyTransRecipientInfo RSA-OAEP
//   for RSA, KeyAgreeRecipientInfo ECDH + AES-KW for EC);
// - symmetric (4.4.1.1): KEKRecipientInfo (AES-256 key wrap) under a pre-shared key the policy hook
//   finds by the DecryptKeyIdentifier.
// Content encryption AES-256-CBC. Built with pkijs over Node's WebCrypto.
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EstError } from '../errors.js';

const ID_CT_KP_A_KEY_PACKAGE = '2.16.840.1.101.2.1.2.78.5';
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.ICryptoEngine['crypto'] });

export type ServerKeyRecipient =
  | { readonly kind: 'certificate'; readonly certificate: Uint8Array }
  | { readonly kind: 'symmetric'; readonly keyIdentifier: Uint8Array; readonly key: Uint8Array };

/** The key algorithm of a certificate's subject public key. */
export function certificateKeyAlgorithm(der: Uint8Array): 'rsa' | 'ec' | 'other' {
  const alg = pkijs.Certificate.fromBER(der).subjectPublicKeyInfo.algorithm.algorithmId;
  return alg === '1.2.840.113549.1.1.1' ? 'rsa' : alg === '1.2.840.10045.2.1' ? 'ec' : 'other';
}

/** The key identifier of a certificate: its subjectKeyIdentifier, else SHA-1 of the key (RFC 5280 4.2.1.2 (1)). */
export function certificateKeyIdentifier(der: Uint8Array): Uint8Array {
  const cert = pkijs.Certificate.fromBER(der);
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
  if (ski) {
    const v = asn1js.fromBER(ski.extnValue.valueBlock.valueHexView);
    if (v.offset !== -1 && v.result instanceof asn1js.OctetString)
      return new Uint8Array(v.result.valueBlock.valueHexView);
  }
  const bits = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return createHash('sha1').update(bits).digest();
}

/** Signs (eContentType, content) into a CMS SignedData SEQUENCE (the key generator's signature). */
export type SignContent = (eContentType: string, content: Uint8Array) => Promise<Uint8Array>;

export const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/**
 * EnvelopedData (ContentInfo DER) for `recipient`, whose content is the SignedData `sign` makes over
 * the AsymmetricKeyPackage of `pkcs8`.
 */
export async function encryptServerKey(
  pkcs8: Uint8Array,
  recipient: ServerKeyRecipient,
  sign: SignContent,
): Promise<Uint8Array> {
  // AsymmetricKeyPackage ::= SEQUENCE SIZE (1..MAX) OF OneAsymmetricKey; a PKCS#8 PrivateKeyInfo is a v1 OneAsymmetricKey.
  const len = derLength(pkcs8.length);
  const keyPackage = Buffer.concat([Buffer.from([0x30]), len, pkcs8]);
  const signed = await sign(ID_CT_KP_A_KEY_PACKAGE, keyPackage);
  keyPackage.fill(0);
  const env = new pkijs.EnvelopedData();
  if (recipient.kind === 'certificate') {
    const cert = pkijs.Certificate.fromBER(recipient.certificate);
    const alg = cert.subjectPublicKeyInfo.algorithm.algorithmId;
    if (alg === '1.2.840.113549.1.1.1')
      env.addRecipientByCertificate(cert, { oaepHashAlgorithm: 'SHA-256' }, 1, engine);
    else if (alg === '1.2.840.10045.2.1') env.addRecipientByCertificate(cert, { kdfAlgorithm: 'SHA-256' }, 2, engine);
    else throw new EstError(400, 'the key-encryption certificate has neither an RSA nor an EC key');
  } else {
    if (recipient.key.length !== 32) throw new EstError(500, 'a pre-shared key-encryption key must be 32 bytes');
    env.addRecipientByPreDefinedData(
      toArrayBuffer(recipient.key),
      {
        keyIdentifier: toArrayBuffer(recipient.keyIdentifier),
        keyEncryptionAlgorithm: { name: 'AES-KW', length: 256 },
      },
      1,
      engine,
    );
  }
  await env.encrypt({ name: 'AES-CBC', length: 256 }, toArrayBuffer(signed), engine);
  signed.fill(0);
  env.encryptedContentInfo.contentType = ID_SIGNED_DATA;
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.ENVELOPED_DATA, content: env.toSchema() });
  return new Uint8Array(info.toSchema().toBER(false));
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
