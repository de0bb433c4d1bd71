import { M2msecError } from '@m2msec/protocol/error';

/** Why a token was refused (TS-0003 7.3.2.5); messages never contain the token. */
export type TokenRefusal =
  | 'malformed'
  | 'unsupported'
  | 'untrusted-issuer'
  | 'bad-signature'
  | 'not-yet-valid'
  | 'expired'
  | 'wrong-holder'
  | 'wrong-audience'
  | 'bad-claims';

/** A refused token: 4103 (the originator has no privilege through it); code TOKEN_<REASON>. */
export class TokenError extends M2msecError {
  override readonly name = 'TokenError';
  constructor(
    readonly reason: TokenRefusal,
    message: string,
  ) {
    super(`TOKEN_${reason.toUpperCase().replace(/-/g, '_')}`, 4103, message);
  }
}
