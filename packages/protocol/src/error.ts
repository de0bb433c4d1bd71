import { ResponseStatusCode, statusName } from './status.js';

/**
 * The one error model of m2msec (issue 11 item 5, docs/errors.md): every failure a client may see carries
 * a stable machine-readable `code` (a package's own vocabulary, e.g. 'NOT_FOUND', 'EST_BAD_CSR'), the
 * oneM2M response status code it stands for (TS-0004 clause 6.6.3, Tables 6.6.3.2-1 to 6.6.3.7-1) and a
 * message a person can act on. Only bindings turn `rsc` into a transport status (TS-0009 Table 6.3.2-1,
 * TS-0008 Table 6.2.4-1; TS-0010 6.5.2 carries rsc itself); roles and engines never pick an HTTP status
 * for it. Messages never hold secrets, raw bodies or stack traces.
 */
export class M2msecError extends Error {
  override readonly name: string = 'M2msecError';
  constructor(
    readonly code: string,
    readonly rsc: ResponseStatusCode,
    message: string,
  ) {
    super(message);
  }
}

export function isM2msecError(e: unknown): e is M2msecError {
  return e instanceof M2msecError;
}

/**
 * A failure that becomes a oneM2M response: the status code a binding maps (TS-0009 / TS-0010)
 * and a message a person can act on; its code is the status code's name. Never put secrets in the message.
 */
export class M2MError extends M2msecError {
  override readonly name = 'M2MError';
  /** `code` defaults to the status code's name (a subclass may name its checks more precisely). */
  constructor(rsc: ResponseStatusCode, message: string, code: string = statusName(rsc)) {
    super(code, rsc, message);
  }
  override toString(): string {
    return `${this.rsc} ${statusName(this.rsc)}: ${this.message}`;
  }
}

export function isM2MError(e: unknown): e is M2MError {
  return e instanceof M2MError;
}

/** The stable code of a failure nobody anticipated (a bug, a store or secure-environment fault). */
export const INTERNAL_CODE = 'INTERNAL';
/** The only text a client gets for such a failure; the details stay in one log line (errorLogFields). */
export const INTERNAL_MESSAGE = 'internal server error';

/** What a client may learn of a failure. */
export interface ClientError {
  code: string;
  rsc: ResponseStatusCode;
  message: string;
  /** True for an unanticipated failure (rsc 5000, fixed message): it must be logged, the client learns nothing. */
  internal: boolean;
}

/**
 * Any thrown value as a client may see it: an M2msecError keeps its code, rsc and message (written for
 * clients); anything else is 5000 INTERNAL with a fixed message, whatever its own message says (it may
 * quote input, paths or SQL).
 */
export function clientErrorOf(e: unknown): ClientError {
  if (isM2msecError(e)) return { code: e.code, rsc: e.rsc, message: e.message, internal: false };
  return {
    code: INTERNAL_CODE,
    rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
    message: INTERNAL_MESSAGE,
    internal: true,
  };
}
