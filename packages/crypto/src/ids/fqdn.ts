import { CryptoInputError } from '../lib/error.js';

// RFC 1035 / RFC 1123 host name labels: letters, digits, inner hyphens, 1..63 octets.
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Checks a host FQDN (MEF-FQDN, MAF-FQDN, Issuer-FQDN, NAF FQDN): dot-separated RFC 1123 labels,
 * at most 253 characters, no trailing dot. Single-label names (e.g. "localhost") are accepted.
 */
export function checkFqdn(fqdn: unknown, name = 'FQDN'): string {
  if (typeof fqdn !== 'string') {
    throw new CryptoInputError('ERR_INPUT_TYPE', `${name} must be a string`);
  }
  if (fqdn.length === 0 || fqdn.length > 253) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', `${name} must be 1..253 characters, got ${fqdn.length}`);
  }
  for (const label of fqdn.split('.')) {
    if (!LABEL.test(label)) {
      throw new CryptoInputError(
        'ERR_IDENTIFIER_FORMAT',
        `${name} "${fqdn}" has an invalid label "${label}" (letters, digits and inner hyphens, 1..63 characters)`,
      );
    }
  }
  return fqdn;
}
