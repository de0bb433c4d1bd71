import { CryptoInputError } from '../lib/error.js';
import { checkFqdn } from './fqdn.js';

// TS-0003 clauses 10.5 and 10.6: Roman alphabet, numerals, '.', '_' and '-'.
const RELATIVE = /^[A-Za-z0-9._-]+$/;

export interface RelativeKeyIdentifier {
  readonly relative: string;
  readonly fqdn: string;
}

export function checkRelative(kind: string, relative: unknown): string {
  if (typeof relative !== 'string' || !RELATIVE.test(relative)) {
    throw new CryptoInputError(
      'ERR_IDENTIFIER_FORMAT',
      `${kind} relative part must be non-empty and use only letters, digits, '.', '_' and '-'`,
    );
  }
  return relative;
}

export function formatRelativeKeyIdentifier(kind: string, relative: string, fqdn: string): string {
  return `${checkRelative(kind, relative)}@${checkFqdn(fqdn, `${kind} FQDN`)}`;
}

export function parseRelativeKeyIdentifier(kind: string, value: unknown): RelativeKeyIdentifier {
  if (typeof value !== 'string') {
    throw new CryptoInputError('ERR_INPUT_TYPE', `${kind} must be a string`);
  }
  const at = value.indexOf('@');
  if (at < 0 || value.indexOf('@', at + 1) >= 0) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', `${kind} must contain exactly one '@' (relative@FQDN)`);
  }
  return {
    relative: checkRelative(kind, value.slice(0, at)),
    fqdn: checkFqdn(value.slice(at + 1), `${kind} FQDN`),
  };
}
