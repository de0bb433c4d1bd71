import { createHmac } from 'node:crypto';
import { asBuffer } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';
import { LABEL_SESSION_ESPRIM_KEY } from './labels.js';

/**
 * sessionESPrimKey = HMAC-SHA256(pairwiseESPrimKey, receiverESPrimRandObject || originatorESPrimRandObject ||
 * "oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm") (TS-0003 clause 10.3.8.2).
 * The spec does not fix the byte form of the rand objects; the caller passes the octets both ends use.
 */
export function deriveSessionESPrimKey(
  pairwiseESPrimKey: Uint8Array,
  receiverRandObject: Uint8Array,
  originatorRandObject: Uint8Array,
): Buffer {
  const key = asBuffer(pairwiseESPrimKey, 'pairwiseESPrimKey');
  if (key.length < 16) {
    throw new CryptoInputError('ERR_KEY_LENGTH', `pairwiseESPrimKey must be at least 16 bytes, got ${key.length}`);
  }
  const r = asBuffer(receiverRandObject, 'receiverESPrimRandObject');
  const o = asBuffer(originatorRandObject, 'originatorESPrimRandObject');
  if (r.length === 0 || o.length === 0) {
    throw new CryptoInputError('ERR_INPUT_LENGTH', 'ESPrim rand objects must not be empty');
  }
  return createHmac('sha256', key).update(r).update(o).update(LABEL_SESSION_ESPRIM_KEY, 'utf8').digest();
}
