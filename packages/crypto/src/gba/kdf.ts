import { createHmac } from 'node:crypto';
import { asBuffer } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';

/**
 * The generic key derivation function of 3GPP TS 33.220 Annex B.2:
 * derived key = HMAC-SHA-256(Key, S), S = FC || P0 || L0 || P1 || L1 || ... || Pn || Ln,
 * where Li is the length of Pi in bytes as a 2-byte big-endian integer.
 */
export function gbaKdf(key: Uint8Array, fc: number, parameters: readonly Uint8Array[]): Buffer {
  const k = asBuffer(key, 'key');
  if (!Number.isInteger(fc) || fc < 0 || fc > 0xff) {
    throw new CryptoInputError('ERR_INPUT_TYPE', `FC must be one octet, got ${String(fc)}`);
  }
  const hmac = createHmac('sha256', k).update(Uint8Array.of(fc));
  parameters.forEach((p, i) => {
    const bytes = asBuffer(p, `P${i}`);
    if (bytes.length > 0xffff) {
      throw new CryptoInputError(
        'ERR_INPUT_LENGTH',
        `P${i} is ${bytes.length} bytes; at most 65535 fit its 2-byte length`,
      );
    }
    hmac.update(bytes).update(Uint8Array.of(bytes.length >>> 8, bytes.length & 0xff));
  });
  return hmac.digest();
}
