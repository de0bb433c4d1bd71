// Errors are values with a oneM2M response status code (TS-0004 6.6) and a message a person can act
// on (protocol's M2msecError; only a binding maps the rsc to HTTP). Messages never carry key material.
import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

export type RspfErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'EXPIRED'
  | 'CONFLICT'
  | 'HANDSHAKE'
  | 'ASSOCIATION_REQUIRED'
  | 'ATTESTATION'
  | 'PROTOCOL'
  | 'INTERNAL';

const rscByCode: Record<RspfErrorCode, ResponseStatusCode> = {
  BAD_REQUEST: 4000,
  NOT_FOUND: 4004,
  FORBIDDEN: 4103,
  EXPIRED: 4103,
  CONFLICT: 4105,
  HANDSHAKE: 4103,
  // SECURITY_ASSOCIATION_REQUIRED: the procedure needs the MEF Handshake's own TLS session (8.3.5.2.2).
  ASSOCIATION_REQUIRED: 4107,
  ATTESTATION: 4103,
  PROTOCOL: 5000,
  INTERNAL: 5000,
};

export class RspfError extends M2msecError {
  override readonly name = 'RspfError';
  declare readonly code: RspfErrorCode;
  constructor(code: RspfErrorCode, message: string) {
    super(code, rscByCode[code], message);
  }
}
