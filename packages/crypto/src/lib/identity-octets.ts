import { CryptoInputError } from './error.js';

/**
 * TS-0003 clauses 10.3.2, 10.3.3, 10.3.6.1 and 10.3.7 (and 3GPP TS 33.220 B.2.1) turn identities
 * into octets as UTF-8 (RFC 3629) after Unicode Normalization Form KC.
 */
// With the u flag a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function identityOctets(identity: unknown, name: string): Buffer {
  if (typeof identity !== 'string') {
    throw new CryptoInputError('ERR_INPUT_TYPE', `${name} must be a string`);
  }
  if (identity.length === 0) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', `${name} must not be empty`);
  }
  if (LONE_SURROGATE.test(identity)) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', `${name} contains a lone UTF-16 surrogate`);
  }
  return Buffer.from(identity.normalize('NFKC'), 'utf8');
}
