import { type ResponseStatusCode, statusName } from './status.js';

/**
 * The one error model of m2msec (issue 11 item 5): every failure a client may see carries a stable
 * machine-readable `code` (a package's own vocabulary, e.g. 'NOT_FOUND', 'EST_BAD_CSR'), the oneM2M
 * response status code it stands for (TS-0004 Table 6.6.3.3-1) and a message a person can act on.
 * Only bindings turn `rsc` into a transport status (TS-0009 / TS-0010 / TS-0008 tables); roles and
 * engines never pick an HTTP status for it. Messages never hold secrets, raw bodies or stack traces.
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
