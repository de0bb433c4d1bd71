// Errors are values with a stable code, a oneM2M response status code (TS-0004 6.6) and a message a
// person can act on (protocol's M2msecError); only a binding maps the rsc to HTTP (TS-0009 Table
// 6.3.2-1: 5103 is 404 there). Messages never carry key material.
import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

export type MafErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'EXPIRED'
  | 'CONFLICT'
  | 'ASSOCIATION_REQUIRED'
  | 'PROTOCOL'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const rscByCode: Record<MafErrorCode, ResponseStatusCode> = {
  BAD_REQUEST: 4000,
  NOT_FOUND: 4004,
  FORBIDDEN: 4103,
  EXPIRED: 4103,
  CONFLICT: 4105,
  // SECURITY_ASSOCIATION_REQUIRED: the procedure needs the MAF Handshake's own TLS session (8.8.2.2).
  ASSOCIATION_REQUIRED: 4107,
  PROTOCOL: 5000,
  UNAVAILABLE: 5103,
  INTERNAL: 5000,
};

export class MafError extends M2msecError {
  override readonly name = 'MafError';
  declare readonly code: MafErrorCode;
  constructor(code: MafErrorCode, message: string) {
    super(code, rscByCode[code], message);
  }
}
