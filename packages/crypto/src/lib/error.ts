/**
 * The one error type of this package. `code` says which check failed so callers can map it to a
 * oneM2M response status code; `message` never contains key material or other secret input.
 */
export class CryptoInputError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoInputError';
    this.code = code;
  }
}

export type CryptoErrorCode =
  | 'ERR_KEY_LENGTH'
  | 'ERR_INPUT_LENGTH'
  | 'ERR_INPUT_TYPE'
  | 'ERR_OUTPUT_LENGTH'
  | 'ERR_IDENTIFIER_FORMAT'
  | 'ERR_UNKNOWN_ENUM_VALUE'
  | 'ERR_SEQUENCE_NUMBER'
  | 'ERR_REPLAY'
  | 'ERR_WINDOW_SIZE'
  | 'ERR_SERIALIZED_STATE';
