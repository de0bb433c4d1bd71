import { CryptoInputError, checkFqdn } from '@m2msec/crypto';
import { GbaError } from './errors.js';

// IMPI: an NAI (RFC 4282, TS 23.003 13.3) — printable ASCII without quote, backslash, comma or space,
// so it travels unchanged as the Digest username and as a store key.
const IMPI = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@]{1,255}$/;

export function checkImpi(impi: unknown, status = 400): string {
  if (typeof impi !== 'string' || !IMPI.test(impi)) {
    throw new GbaError(status, 'ERR_MALFORMED', 'IMPI must be 1..255 NAI characters (letters, digits, @ . - _ ...)');
  }
  return impi;
}

/** NAF FQDN in canonical (lower-case) form: DNS names are case-insensitive, Ks_NAF derivation is not. */
export function canonicalNafFqdn(fqdn: unknown, name = 'NAF FQDN', status = 400): string {
  try {
    return checkFqdn(fqdn, name).toLowerCase();
  } catch (e) {
    if (e instanceof CryptoInputError) throw new GbaError(status, 'ERR_MALFORMED', e.message);
    throw e;
  }
}

const BTID = /^((?:[A-Za-z0-9+/]{4}){5}[A-Za-z0-9+/]{2}==)@(.+)$/;

/** B-TID = base64(RAND)@BSF_servers_domain_name (TS 33.220 4.5.2), RAND 16 bytes. */
export function parseBtid(btid: unknown, status = 400): { rand: Buffer; bsfDomain: string } {
  const m = typeof btid === 'string' && btid.length <= 300 ? BTID.exec(btid) : null;
  if (!m) throw new GbaError(status, 'ERR_MALFORMED', 'B-TID must be base64(RAND)@BSF-domain with a 16-byte RAND');
  const bsfDomain = canonicalNafFqdn(m[2], 'B-TID domain', status);
  if (bsfDomain !== m[2]) throw new GbaError(status, 'ERR_MALFORMED', 'B-TID domain must be lower case');
  return { rand: Buffer.from(m[1]!, 'base64'), bsfDomain };
}

export function formatBtid(rand: Uint8Array, bsfDomain: string): string {
  return `${Buffer.from(rand).toString('base64')}@${bsfDomain}`;
}
