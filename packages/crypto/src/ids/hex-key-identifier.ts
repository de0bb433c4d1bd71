import { checkLength } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';
import { checkFqdn } from './fqdn.js';

/** The 16-byte relative identifiers of TS-0003 clause 10.3.1 (RelativeKeID, KcID) in hexBinary. */
const HEX_RELATIVE = /^[0-9A-Fa-f]{32}$/;

export interface HexKeyIdentifier {
  /** The 16-byte relative identifier (RelativeKeID or KcID). */
  readonly relativeId: Buffer;
  /** The FQDN after '@' (MEF-FQDN or MAF-FQDN). */
  readonly fqdn: string;
}

/** hexBinary(relativeId) "@" fqdn; lower-case hex is the canonical form this package writes. */
export function formatHexKeyIdentifier(kind: string, relativeId: Uint8Array, fqdn: string): string {
  const rel = checkLength(relativeId, `${kind} relative identifier`, 16);
  return `${rel.toString('hex')}@${checkFqdn(fqdn, `${kind} FQDN`)}`;
}

/** Parses hexBinary(relativeId) "@" fqdn; hexBinary (XML Schema) accepts either case. */
export function parseHexKeyIdentifier(kind: string, value: unknown): HexKeyIdentifier {
  if (typeof value !== 'string') {
    throw new CryptoInputError('ERR_INPUT_TYPE', `${kind} must be a string`);
  }
  const at = value.indexOf('@');
  if (at < 0 || value.indexOf('@', at + 1) >= 0) {
    throw new CryptoInputError('ERR_IDENTIFIER_FORMAT', `${kind} must contain exactly one '@' (hex@FQDN)`);
  }
  const hex = value.slice(0, at);
  if (!HEX_RELATIVE.test(hex)) {
    throw new CryptoInputError(
      'ERR_IDENTIFIER_FORMAT',
      `${kind} relative part must be 32 hexadecimal digits (16 bytes), got ${hex.length} characters`,
    );
  }
  return { relativeId: Buffer.from(hex, 'hex'), fqdn: checkFqdn(value.slice(at + 1), `${kind} FQDN`) };
}
