import { createHmac } from 'node:crypto';
import { checkLength } from '../lib/bytes.js';
import { LABEL_MAF_PAIRWISE_ESPRIM_KEY } from './labels.js';

/**
 * pairwiseESPrimKey of the MAF ESPrim Framework (TS-0003 8.4.2 A and C.6a.4): the Originator and the
 * Receiver each generate it "from Kc and a reserved string", a string the clause never gives. This
 * package reserves `LABEL_MAF_PAIRWISE_ESPRIM_KEY` and derives the key as the clause 10.3 derivations
 * do, HMAC-SHA-256(Kc, label), so the ESPrim key is never Kc itself: a Receiver that also holds Kc for
 * an SAEF (SUID 32) cannot be made to use one key in two frameworks. docs/end-to-end-security.md.
 */
export function deriveMafPairwiseESPrimKey(kc: Uint8Array): Buffer {
  return createHmac('sha256', checkLength(kc, 'Kc', 32, 'ERR_KEY_LENGTH'))
    .update(LABEL_MAF_PAIRWISE_ESPRIM_KEY, 'utf8')
    .digest();
}
