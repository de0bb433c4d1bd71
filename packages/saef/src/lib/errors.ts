// The one error type of this package: `code` names the check that failed; messages never carry key
// material (identities and certificate names are not secret and are named to make errors actionable).
// A subclass of protocol's M2msecError: each code has the oneM2M rsc a binding maps (a refused handshake
// or identity is 4106 / 4103, a MAF that cannot be reached 5103).
import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

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

const rscByCode: Record<SaefErrorCode, ResponseStatusCode> = {
  INVALID_INPUT: 4000,
  UNKNOWN_IDENTITY: 4106,
  CERTIFICATE_PROFILE: 4106,
  CERTIFICATE_IDENTITY: 4106,
  DK_IDENTITY_FORMAT: 4000,
  DK_UNKNOWN_TRUST_ANCHOR: 4106,
  DK_REPLAY: 4106,
  DK_REVOKED: 4106,
  DK_NOT_AUTHORIZED: 4103,
  DK_JOURNAL: 5000,
  DK_NOT_ACCEPTED: 4106,
  MAC_CERT_FORMAT: 4000,
  MAC_CERT_INVALID: 4106,
  REVOCATION_INVALID: 4000,
  MAF_UNAVAILABLE: 5103,
};

export class SaefError extends M2msecError {
  override readonly name = 'SaefError';
  declare readonly code: SaefErrorCode;
  constructor(code: SaefErrorCode, message: string) {
    super(code, rscByCode[code], message);
  }
}

/** Quotes an untrusted value for an error message, cut short and with controls escaped. */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return JSON.stringify(cut);
}
