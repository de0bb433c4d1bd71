import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';

export type SensitiveDataErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'EXPIRED' | 'EXISTS' | 'WRONG_KIND';

const rsc: Record<SensitiveDataErrorCode, ResponseStatusCode> = {
  INVALID_INPUT: 4000, // BAD_REQUEST
  NOT_FOUND: 4004, // NOT_FOUND
  EXPIRED: 4004, // an expired credential is gone
  EXISTS: 4105, // CONFLICT
  WRONG_KIND: 4000,
};

/** Error with a oneM2M response status code (TS-0004 6.6); messages name IDs, never key bytes. */
export class SensitiveDataError extends M2msecError {
  override readonly name = 'SensitiveDataError';
  declare readonly code: SensitiveDataErrorCode;
  constructor(code: SensitiveDataErrorCode, message: string) {
    super(code, rsc[code], message);
  }
}
