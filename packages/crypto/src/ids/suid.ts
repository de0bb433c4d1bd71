import { CryptoInputError } from '../lib/error.js';

/** m2m:suid, the Security Usage Identifier (TS-0004 clause 6.3.4.2.39, Table 6.3.4.2.39-1). */
export const Suid = {
  PreProvisionedMef: 10,
  PreProvisionedMaf: 11,
  PreProvisionedSaef: 12,
  PreProvisionedEsprim: 13,
  PreProvisionedEsdataEncryption: 14,
  PreProvisionedEsdataSignature: 15,
  RspfMaf: 21,
  RspfSaef: 22,
  RspfEsprim: 23,
  RspfEsdataEncryption: 24,
  RspfEsdataSignature: 25,
  MafSaef: 32,
  MafEsprim: 33,
  MafEsdataEncryption: 34,
  MafEsdataSignature: 35,
  CertificateMef: 40,
  CertificateMaf: 41,
  CertificateSaef: 42,
  CertificateEsprim: 43,
  CertificateEsdataEncryption: 44,
  CertificateEsdataSignature: 45,
} as const;
export type Suid = (typeof Suid)[keyof typeof Suid];

const VALUES: ReadonlySet<number> = new Set(Object.values(Suid));

export function isSuid(value: unknown): value is Suid {
  return typeof value === 'number' && VALUES.has(value);
}

/** Accepts a number or its decimal string form (as in a /fetchCredentials/<KeID>/<SUID> path). */
export function parseSuid(value: number | string): Suid {
  const n = typeof value === 'string' && /^[1-9][0-9]{0,2}$/.test(value) ? Number(value) : value;
  if (!isSuid(n)) {
    throw new CryptoInputError(
      'ERR_UNKNOWN_ENUM_VALUE',
      `"${String(value)}" is not an m2m:suid of TS-0004 Table 6.3.4.2.39-1`,
    );
  }
  return n;
}
