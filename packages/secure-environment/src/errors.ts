// Errors are values with a oneM2M response status code (TS-0004 6.6) and a message a person can
// act on (protocol's M2msecError). Messages name identifiers and operations, never key material.
import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

export type SecureEnvironmentErrorCode =
  | 'INVALID_INPUT'
  | 'KEY_NOT_FOUND'
  | 'KEY_EXISTS'
  | 'USAGE_NOT_PERMITTED'
  | 'UNSUPPORTED'
  | 'AUTHENTICATION_FAILED'
  | 'KEYSTORE_UNREADABLE'
  | 'SESSION_STATE'
  | 'BACKEND_FAILURE'
  | 'CLOSED';

const statusCodes: Record<SecureEnvironmentErrorCode, ResponseStatusCode> = {
  INVALID_INPUT: 4000, // BAD_REQUEST
  KEY_NOT_FOUND: 4004, // NOT_FOUND
  KEY_EXISTS: 4105, // CONFLICT
  USAGE_NOT_PERMITTED: 4103, // ACCESS_DENIED
  UNSUPPORTED: 5001, // NOT_IMPLEMENTED
  AUTHENTICATION_FAILED: 4000,
  KEYSTORE_UNREADABLE: 5000, // INTERNAL_SERVER_ERROR
  SESSION_STATE: 4000,
  BACKEND_FAILURE: 5000,
  CLOSED: 5000,
};

export class SecureEnvironmentError extends M2msecError {
  override readonly name = 'SecureEnvironmentError';
  declare readonly code: SecureEnvironmentErrorCode;
  constructor(code: SecureEnvironmentErrorCode, message: string) {
    super(code, statusCodes[code], message);
  }
}

export function seError(code: SecureEnvironmentErrorCode, message: string): SecureEnvironmentError {
  return new SecureEnvironmentError(code, message);
}
