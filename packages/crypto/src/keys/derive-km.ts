import { createHmac } from 'node:crypto';
import { checkLength } from '../lib/bytes.js';
import { identityOctets } from '../lib/identity-octets.js';
import { LABEL_KM } from './labels.js';

/** Km = HMAC-SHA-256(Ke, "oneM2M Enrolment Key to Master Credential derivation" || MAF-ID) (TS-0003 clause 10.3.2). */
export function deriveKm(ke: Uint8Array, mafID: string): Buffer {
  return createHmac('sha256', checkLength(ke, 'Ke', 32, 'ERR_KEY_LENGTH'))
    .update(LABEL_KM, 'utf8')
    .update(identityOctets(mafID, 'MAF-ID'))
    .digest();
}
