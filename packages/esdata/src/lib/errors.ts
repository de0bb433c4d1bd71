// ESData failures. TS-0003 8.5 and TS-0004 define no ESData-specific status codes; the choice (see
// docs/end-to-end-security.md): a protected value that is not the declared JOSE serialization is 4000
// BAD_REQUEST; a well-formed value the Target cannot accept (algorithm outside TS-0003 8.5.3, unknown key
// identifier, failed signature / MAC / decryption) is 4102 CONTENTS_UNACCEPTABLE. The stable `code` tells
// which; messages never carry key bytes or plaintext.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

export type EsdataErrorCode =
  | 'ERR_ESDATA_FORMAT'
  | 'ERR_ESDATA_ALGORITHM'
  | 'ERR_ESDATA_KEY'
  | 'ERR_ESDATA_UNKNOWN_KID'
  | 'ERR_ESDATA_SIGNATURE'
  | 'ERR_ESDATA_DECRYPTION';

export class EsdataError extends M2MError {
  declare readonly code: EsdataErrorCode;
  constructor(code: EsdataErrorCode, message: string) {
    super(
      code === 'ERR_ESDATA_FORMAT' ? ResponseStatusCode.BAD_REQUEST : ResponseStatusCode.CONTENTS_UNACCEPTABLE,
      message,
      code,
    );
  }
}
