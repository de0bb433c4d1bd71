import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

/** The oneM2M rsc of a Ub / Zn refusal's HTTP status (the inverse of TS-0009 Table 6.3.2-1's rows used here). */
function rscOfStatus(status: number): ResponseStatusCode {
  if (status === 401) return 4106;
  if (status === 403) return 4103;
  if (status === 404) return 4004;
  if (status === 405) return 4005;
  if (status === 409) return 4105;
  if (status === 415) return 4015;
  if (status >= 400 && status < 500) return 4000;
  return 5000;
}

/**
 * A refusal with the HTTP status the Ub / Zn routes answer (TS 24.109 / 33.220 define them, so the
 * BSF keeps it) and a message a person can act on; as an M2msecError it also carries a stable code and
 * the oneM2M rsc. Messages never carry key material, RES, K, OPc or Ks.
 */
export class GbaError extends M2msecError {
  override readonly name = 'GbaError';
  declare readonly code: GbaErrorCode;
  constructor(
    /** HTTP status (400 malformed, 401 challenge / unauthenticated NAF, 403 refused, 404 unknown B-TID, ...). */
    readonly status: number,
    /** Stable machine-readable code. */
    code: GbaErrorCode,
    message: string,
  ) {
    super(code, rscOfStatus(status), message);
  }
}

export type GbaErrorCode =
  | 'ERR_MALFORMED'
  | 'ERR_UNKNOWN_SUBSCRIBER'
  | 'ERR_AUTHENTICATION_FAILED'
  | 'ERR_STALE_NONCE'
  | 'ERR_SYNC_FAILURE'
  | 'ERR_UNKNOWN_BTID'
  | 'ERR_NAF_UNAUTHENTICATED'
  | 'ERR_NAF_FORBIDDEN'
  | 'ERR_METHOD'
  | 'ERR_MEDIA_TYPE'
  | 'ERR_TOO_LARGE'
  | 'ERR_BSF_AUTHENTICATION'
  | 'ERR_PROTOCOL'
  | 'ERR_CONFLICT';

export function isGbaError(e: unknown): e is GbaError {
  return e instanceof GbaError;
}
