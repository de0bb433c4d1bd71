import { createHmac } from 'node:crypto';
import { checkLength } from '../lib/bytes.js';
import { identityOctets } from '../lib/identity-octets.js';
import { LABEL_KPSA } from './labels.js';

/**
 * Kpsa = HMAC-SHA-256(Ke, "oneM2M Enrolment Key to Provisioned Secure Connection Key derivation" || Enrolee-B-ID)
 * (TS-0003 clause 10.3.3); Enrolee-B-ID is Enrolee B's CSE-ID or AE-ID.
 */
export function deriveKpsa(ke: Uint8Array, enroleeBID: string): Buffer {
  return createHmac('sha256', checkLength(ke, 'Ke', 32, 'ERR_KEY_LENGTH'))
    .update(LABEL_KPSA, 'utf8')
    .update(identityOctets(enroleeBID, 'Enrolee-B-ID'))
    .digest();
}
