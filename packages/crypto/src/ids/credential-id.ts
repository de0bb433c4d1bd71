import { CryptoInputError } from '../lib/error.js';
import { type CredIdTypeId, parseCredIdTypeId } from './cred-id-type.js';

// TS-0003 clause 10.4: the value part may use the Roman alphabet, numerals, '.', '_', '-' and '@'.
const VALUE = /^[A-Za-z0-9._@-]+$/;

export interface CredentialID {
  readonly type: CredIdTypeId;
  readonly value: string;
}

function checkValue(value: unknown): string {
  if (typeof value !== 'string' || !VALUE.test(value)) {
    throw new CryptoInputError(
      'ERR_IDENTIFIER_FORMAT',
      "Credential-ID value must be non-empty and use only letters, digits, '.', '_', '-' and '@' (TS-0003 clause 10.4)",
    );
  }
  return value;
}

/** Credential-ID = <sec:credIDTypeID> "-" <value> (TS-0003 clause 10.4), e.g. "10-thiskey@mymef.com". */
export function formatCredentialID(type: CredIdTypeId, value: string): string {
  return `${parseCredIdTypeId(type)}-${checkValue(value)}`;
}

/** Splits at the first '-': the type is a defined sec:credIDTypeID, the rest the value. */
export function parseCredentialID(credentialID: unknown): CredentialID {
  if (typeof credentialID !== 'string') {
    throw new CryptoInputError('ERR_INPUT_TYPE', 'Credential-ID must be a string');
  }
  const dash = credentialID.indexOf('-');
  if (dash <= 0) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', 'Credential-ID must be <credIDTypeID>-<value>');
  }
  const typePart = credentialID.slice(0, dash);
  if (!/^[1-9][0-9]*$/.test(typePart)) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', `Credential-ID type "${typePart}" is not a positive integer`);
  }
  return { type: parseCredIdTypeId(typePart), value: checkValue(credentialID.slice(dash + 1)) };
}
