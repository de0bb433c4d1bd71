// DSKPP status codes, RFC 6063 section 3.3 (the StatusCode type of the section 8 schema).
export const DSKPP_STATUS_CODES = [
  'Continue',
  'Success',
  'Abort',
  'AccessDenied',
  'MalformedRequest',
  'UnknownRequest',
  'UnknownCriticalExtension',
  'UnsupportedVersion',
  'NoSupportedKeyTypes',
  'NoSupportedEncryptionAlgorithms',
  'NoSupportedMacAlgorithms',
  'NoProtocolVariants',
  'NoSupportedKeyPackages',
  'AuthenticationDataMissing',
  'AuthenticationDataInvalid',
  'InitializationFailed',
  'ProvisioningPeriodExpired',
] as const;

export type DskppStatus = (typeof DSKPP_STATUS_CODES)[number];

/** Status codes that end a run with an error (everything but Continue and Success). */
export type DskppErrorStatus = Exclude<DskppStatus, 'Continue' | 'Success'>;

export function isDskppStatus(value: string): value is DskppStatus {
  return (DSKPP_STATUS_CODES as readonly string[]).includes(value);
}
