import { createHmac } from 'node:crypto';
import { digestSize, type HkdfDigest } from '../hkdf/digest.js';
import { hkdfExtract } from '../hkdf/extract.js';
import { asBuffer, checkLength } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';
import { LABELS_KE2E } from './labels.js';

/**
 * Ke2e_master = HMAC-Hash(Salt, Kpsa) (TS-0003 clause 10.3.6.1), i.e. HKDF-Extract of RFC 5869.
 * The spec leaves Salt undefined, so the caller supplies it (both end-points must agree on it).
 * With source-generated credentials the spec puts a random value in place of Kpsa.
 */
export function deriveKe2eMaster(salt: Uint8Array, kpsa: Uint8Array, digest: HkdfDigest = 'sha256'): Buffer {
  const s = asBuffer(salt, 'salt');
  if (s.length === 0) {
    throw new CryptoInputError(
      'ERR_INPUT_LENGTH',
      'salt must not be empty (TS-0003 clause 10.3.6.1 keys HMAC with it)',
    );
  }
  const k = asBuffer(kpsa, 'Kpsa');
  if (k.length < 16) {
    throw new CryptoInputError('ERR_KEY_LENGTH', `Kpsa must be at least 16 bytes, got ${k.length}`);
  }
  return hkdfExtract(digest, s, k);
}

export interface Ke2eKeys {
  /** Ke2e_msg_auth = T(1). */
  readonly msgAuth: Buffer;
  /** Ke2e_msg_conf = T(2). */
  readonly msgConf: Buffer;
  /** Ke2e_att_auth = T(3). */
  readonly attAuth: Buffer;
  /** Ke2e_att_conf = T(4). */
  readonly attConf: Buffer;
}

/**
 * The four end-to-end keys of TS-0003 clause 10.3.6.2: T(i) = HMAC-Hash(Ke2e_master, T(i-1) | label_i | i),
 * T(0) empty. This is RFC 5869 HKDF-Expand except that each block has its own label in place of one info
 * string, so T(1) alone equals HKDF-Expand(Ke2e_master, label_1, HashLen).
 */
export function expandKe2e(ke2eMaster: Uint8Array, digest: HkdfDigest = 'sha256'): Ke2eKeys {
  const master = checkLength(ke2eMaster, 'Ke2e_master', digestSize(digest), 'ERR_KEY_LENGTH');
  const t: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 0; i < LABELS_KE2E.length; i++) {
    prev = createHmac(digest, master)
      .update(prev)
      .update(LABELS_KE2E[i]!, 'utf8')
      .update(Uint8Array.of(i + 1))
      .digest();
    t.push(prev);
  }
  return { msgAuth: t[0]!, msgConf: t[1]!, attAuth: t[2]!, attConf: t[3]! };
}
