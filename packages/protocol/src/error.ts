import { type ResponseStatusCode, statusName } from './status.js';

/**
 * A failure that becomes a oneM2M response: the status code a binding maps (TS-0009 / TS-0010)
 * and a message a person can act on. Never put secrets in the message.
 */
export class M2MError extends Error {
  override readonly name = 'M2MError';
  constructor(
    readonly rsc: ResponseStatusCode,
    message: string,
  ) {
    super(message);
  }
  override toString(): string {
    return `${this.rsc} ${statusName(this.rsc)}: ${this.message}`;
  }
}

export function isM2MError(e: unknown): e is M2MError {
  return e instanceof M2MError;
}
