// EST failures carry the HTTP status the server answers with (RFC 7030 4.2.3) and a short
// plain-text reason a person can act on. Never a stack trace, never key material.

export type EstStatus = 400 | 403 | 404 | 405 | 413 | 415 | 500 | 501 | 503;

export class EstError extends Error {
  override readonly name = 'EstError';
  constructor(
    readonly status: EstStatus,
    message: string,
  ) {
    super(message);
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
