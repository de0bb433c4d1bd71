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

export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(
    readonly reason: TokenRefusal,
    message: string,
  ) {
    super(message);
  }
}
