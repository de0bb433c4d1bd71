// Object identifiers of the TS-0003 10.1 / 10.1.4 profile, as dotted strings and DER.
import { oid } from './der.js';

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  secp256r1: '1.2.840.10045.3.1.7',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
  // RFC 7030 4.4.1.1 / 4.4.1.2: server-side key generation with an encrypted private key
  decryptKeyIdentifier: '1.2.840.113549.1.9.16.2.37',
  asymmetricDecryptKeyIdentifier: '1.2.840.113549.1.9.16.2.54',
  // RFC 7030 4.4.1: the key encipherment algorithms the client accepts (RFC 2633 2.5.2 / RFC 8551)
  smimeCapabilities: '1.2.840.113549.1.9.15',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  rsaesOaep: '1.2.840.113549.1.1.7',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  cRLDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
} as const;

/** AlgorithmIdentifier ecdsa-with-SHA256 (parameters absent, RFC 5758 3.2). */
export const ECDSA_WITH_SHA256_ALGID = Uint8Array.from([
  0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
]);

/** AlgorithmIdentifier id-ecPublicKey with namedCurve secp256r1 (RFC 5480 2.1.1). */
export const EC_P256_SPKI_ALGID = Uint8Array.from([
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
  0x01, 0x07,
]);

/** Content bytes of frequently compared OIDs. */
export const OID_CONTENT = {
  challengePassword: oid(OID.challengePassword).subarray(2),
  extensionRequest: oid(OID.extensionRequest).subarray(2),
  subjectAltName: oid(OID.subjectAltName).subarray(2),
  decryptKeyIdentifier: oid(OID.decryptKeyIdentifier).subarray(2),
  asymmetricDecryptKeyIdentifier: oid(OID.asymmetricDecryptKeyIdentifier).subarray(2),
  smimeCapabilities: oid(OID.smimeCapabilities).subarray(2),
} as const;
