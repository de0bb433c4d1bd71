import { checkFqdn } from '../ids/fqdn.js';
import { checkLength } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';
import { identityOctets } from '../lib/identity-octets.js';
import { gbaKdf } from './kdf.js';
import { defaultUaSecurityProtocolId } from './ua-security-protocol-id.js';

/** FC value for Ks_NAF / Ks_ext_NAF / Ks_int_NAF derivation (3GPP TS 33.220 Annex B.3). */
export const GBA_NAF_FC = 0x01;

export interface KsNafInput {
  /** Ks = CK || IK, 32 bytes (the GBA bootstrapped key; in TS-0003 GBA-based RSPF, Ke). */
  readonly ks: Uint8Array;
  /** The RAND of the bootstrapping run, 16 bytes. */
  readonly rand: Uint8Array;
  /** The IMPI (IP Multimedia Private Identity). */
  readonly impi: string;
  /** FQDN of the NAF: the MAF FQDN, or the CSE-ID's domain-name form (TS-0003 clause 8.3.2.3). */
  readonly nafFqdn: string;
  /** 5-octet Ua security protocol identifier; defaults to defaultUaSecurityProtocolId(). */
  readonly uaSecurityProtocolId?: Uint8Array;
  /** "gba-me" (Ks_NAF, Ks_ext_NAF) or "gba-u" (Ks_int_NAF); default "gba-me". */
  readonly variant?: 'gba-me' | 'gba-u';
}

/**
 * Ks_NAF = KDF(Ks, "gba-me", RAND, IMPI, NAF_Id) of 3GPP TS 33.220 Annex B.3, with
 * NAF_Id = NAF FQDN || Ua security protocol identifier. Under GBA_ME this is Km / Kpsa in the
 * GBA-based RSPF of TS-0003 clause 8.3.2.3; with variant "gba-u" it gives Ks_int_NAF.
 */
export function deriveKsNaf(input: KsNafInput): Buffer {
  const ks = checkLength(input.ks, 'Ks', 32, 'ERR_KEY_LENGTH');
  const rand = checkLength(input.rand, 'RAND', 16);
  const variant = input.variant ?? 'gba-me';
  if (variant !== 'gba-me' && variant !== 'gba-u') {
    throw new CryptoInputError('ERR_UNKNOWN_ENUM_VALUE', `variant must be "gba-me" or "gba-u", got ${String(variant)}`);
  }
  const ua = checkLength(input.uaSecurityProtocolId ?? defaultUaSecurityProtocolId(), 'uaSecurityProtocolId', 5);
  const nafId = Buffer.concat([identityOctets(checkFqdn(input.nafFqdn, 'nafFqdn'), 'nafFqdn'), ua]);
  return gbaKdf(ks, GBA_NAF_FC, [Buffer.from(variant, 'ascii'), rand, identityOctets(input.impi, 'IMPI'), nafId]);
}
