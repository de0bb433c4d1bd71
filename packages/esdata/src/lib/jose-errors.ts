// Maps jose's error codes onto ESData errors; anything unexpected is a failed verification, never a stack trace.
import { EsdataError } from './errors.js';

export function fromJoseError(e: unknown, what: 'signature' | 'decryption'): EsdataError {
  if (e instanceof EsdataError) return e;
  const code = (e as { code?: string })?.code;
  switch (code) {
    case 'ERR_JWS_INVALID':
    case 'ERR_JWE_INVALID':
      return new EsdataError(
        'ERR_ESDATA_FORMAT',
        `not a valid ${what === 'signature' ? 'JWS' : 'JWE'}: ${(e as Error).message}`,
      );
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new EsdataError(
        'ERR_ESDATA_ALGORITHM',
        `algorithm not allowed for ESData (TS-0003 8.5.3): ${(e as Error).message}`,
      );
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new EsdataError('ERR_ESDATA_SIGNATURE', 'the ESData signature or MIC did not verify');
    case 'ERR_JWE_DECRYPTION_FAILED':
      return new EsdataError('ERR_ESDATA_DECRYPTION', 'the ESData object could not be decrypted and verified');
    case 'ERR_JOSE_GENERIC':
      return new EsdataError(
        what === 'signature' ? 'ERR_ESDATA_SIGNATURE' : 'ERR_ESDATA_DECRYPTION',
        (e as Error).message,
      );
    default:
      if (e instanceof TypeError)
        return new EsdataError('ERR_ESDATA_KEY', `the credential does not fit the algorithm: ${e.message}`);
      return new EsdataError(
        what === 'signature' ? 'ERR_ESDATA_SIGNATURE' : 'ERR_ESDATA_DECRYPTION',
        `ESData ${what} check failed`,
      );
  }
}
