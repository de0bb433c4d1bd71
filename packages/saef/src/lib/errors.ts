// The one error type of this package: `code` names the check that failed; messages never carry key
// material (identities and certificate names are not secret and are named to make errors actionable).
export type SaefErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_IDENTITY'
  | 'CERTIFICATE_PROFILE'
  | 'CERTIFICATE_IDENTITY'
  | 'DK_IDENTITY_FORMAT'
  | 'DK_UNKNOWN_TRUST_ANCHOR'
  | 'DK_REPLAY'
  | 'DK_REVOKED'
  | 'DK_NOT_AUTHORIZED'
  | 'DK_JOURNAL'
  | 'DK_NOT_ACCEPTED'
  | 'MAC_CERT_FORMAT'
  | 'MAC_CERT_INVALID'
  | 'REVOCATION_INVALID'
  | 'MAF_UNAVAILABLE';

export class SaefError extends Error {
  override readonly name = 'SaefError';
  constructor(
    readonly code: SaefErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Quotes an untrusted value for an error message, cut short and with controls escaped. */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return JSON.stringify(cut);
}
