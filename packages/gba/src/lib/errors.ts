/**
 * A refusal with the HTTP status the Ub / Zn routers answer and a message a person can act on.
 * Messages never carry key material, RES, K, OPc or Ks.
 */
export class GbaError extends Error {
  override readonly name = 'GbaError';
  constructor(
    /** HTTP status (400 malformed, 401 challenge / unauthenticated NAF, 403 refused, 404 unknown B-TID, ...). */
    readonly status: number,
    /** Stable machine-readable code. */
    readonly code: GbaErrorCode,
    message: string,
  ) {
    super(message);
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
