import { CryptoInputError } from '../lib/error.js';

/** sec:credIDTypeID (TS-0003 clause 12.3.2.1, Table 12.3.2.1-1): the type part of a Credential-ID. */
export const CredIdTypeId = {
  /** Symmetric key to authenticate to a MEF (value: KpmID). */
  MefKey: 10,
  /** Symmetric key to authenticate to a MAF (value: KmID). */
  MafKey: 11,
  /** Symmetric key to authenticate in an SAEF (value: KpsaID or KcID). */
  SaefKey: 12,
  /** Symmetric key to authenticate in ESPrim (value: pairwiseESPrimKeyID). */
  EsprimKey: 13,
  /** ESData direct-encryption key. */
  EsdataDirectEncryptionKey: 14,
  /** ESData key-wrap key. */
  EsdataKeyWrapKey: 15,
  /** ESData HMAC key (Signature-only class). */
  EsdataHmacKey: 16,
  /** TLS raw public key (value: public key identifier). */
  TlsRawPublicKey: 30,
  /** TLS device certificate (value: hardware instance identifier). */
  TlsDeviceCertificate: 31,
  /** TLS CSE-ID certificate (value: CSE-ID). */
  TlsCseIdCertificate: 32,
  /** TLS AE-ID certificate (value: AE-ID). */
  TlsAeIdCertificate: 33,
  /** TLS Node-ID certificate (value: Node-ID). */
  TlsNodeIdCertificate: 34,
  EsdataEncryptionRawPublicKey: 41,
  EsdataEncryptionDeviceCertificate: 42,
  EsdataEncryptionCseIdCertificate: 43,
  EsdataEncryptionAeIdCertificate: 44,
  EsdataEncryptionNodeIdCertificate: 45,
  EsdataSignatureRawPublicKey: 51,
  EsdataSignatureDeviceCertificate: 52,
  EsdataSignatureCseIdCertificate: 53,
  EsdataSignatureAeIdCertificate: 54,
  EsdataSignatureNodeIdCertificate: 55,
} as const;
export type CredIdTypeId = (typeof CredIdTypeId)[keyof typeof CredIdTypeId];

const VALUES: ReadonlySet<number> = new Set(Object.values(CredIdTypeId));

export function isCredIdTypeId(value: unknown): value is CredIdTypeId {
  return typeof value === 'number' && VALUES.has(value);
}

/** Accepts a number or its decimal string form; throws on anything not in Table 12.3.2.1-1. */
export function parseCredIdTypeId(value: number | string): CredIdTypeId {
  const n = typeof value === 'string' && /^[1-9][0-9]{0,2}$/.test(value) ? Number(value) : value;
  if (!isCredIdTypeId(n)) {
    throw new CryptoInputError(
      'ERR_UNKNOWN_ENUM_VALUE',
      `"${String(value)}" is not a sec:credIDTypeID of TS-0003 Table 12.3.2.1-1`,
    );
  }
  return n;
}
