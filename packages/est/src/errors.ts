// EST failures carry the HTTP status the server answers with (RFC 7030 4.2.3) and a short
// reason a person can act on; as protocol's M2msecError also a stable code and the oneM2M rsc.
// Never a stack trace, never key material.
import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

export type EstStatus = 400 | 403 | 404 | 405 | 413 | 415 | 500 | 501 | 503;

const byStatus: Record<EstStatus, [string, ResponseStatusCode]> = {
  400: ['EST_BAD_REQUEST', 4000],
  403: ['EST_FORBIDDEN', 4103],
  404: ['EST_NOT_FOUND', 4004],
  405: ['EST_METHOD_NOT_ALLOWED', 4005],
  413: ['EST_BODY_TOO_LARGE', 4000],
  415: ['EST_UNSUPPORTED_MEDIA_TYPE', 4015],
  500: ['EST_INTERNAL', 5000],
  501: ['EST_NOT_IMPLEMENTED', 5001],
  503: ['EST_UNAVAILABLE', 5000],
};

export class EstError extends M2msecError {
  override readonly name = 'EstError';
  constructor(
    readonly status: EstStatus,
    message: string,
  ) {
    super(byStatus[status][0], byStatus[status][1], message);
  }
}

export function isEstError(e: unknown): e is EstError {
  return e instanceof EstError;
}

/** Raised by the client for a non-success HTTP answer. */
export class EstClientError extends Error {
  override readonly name = 'EstClientError';
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`EST server answered ${status}: ${reason}`);
  }
}
