import { createHmac } from 'node:crypto';
import { parseSuid, type Suid } from '../ids/suid.js';
import { checkLength } from '../lib/bytes.js';
import { identityOctets } from '../lib/identity-octets.js';
import { LABEL_USAGE_CONSTRAINED } from './labels.js';

/**
 * Octets of the SUID inside the clause 10.3.7 HMAC input. The spec writes "|| SUID ||" without an
 * encoding; the SUID is a decimal enumeration (TS-0004 m2m:suid) that travels as text in
 * /fetchCredentials/<KeID>/<SUID>, so this package uses its decimal digits in ASCII ("22" = 0x32 0x32).
 */
export function suidOctets(suid: Suid): Buffer {
  return Buffer.from(String(parseSuid(suid)), 'ascii');
}

/**
 * Usage-constrained symmetric key (TS-0003 clause 10.3.7):
 * HMAC-SHA-256(Ke, "oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation" || SUID || Enrolment-Target-ID).
 * For a CSE or AE target, the caller passes the FQDN form of its Absolute CSE-ID / AE-ID.
 */
export function deriveUsageConstrainedKey(ke: Uint8Array, suid: Suid, enrolmentTargetID: string): Buffer {
  return createHmac('sha256', checkLength(ke, 'Ke', 32, 'ERR_KEY_LENGTH'))
    .update(LABEL_USAGE_CONSTRAINED, 'utf8')
    .update(suidOctets(suid))
    .update(identityOctets(enrolmentTargetID, 'Enrolment-Target-ID'))
    .digest();
}
