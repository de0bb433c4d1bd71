// Encryption-Only ESData (TS-0003 8.5.2.2, 8.5.3.2): JWE with the key management of Table 8.5.3.2-3 and
// the AES-GCM content encryption of Table 8.5.3.2-4. Compact serialization carries one credential; the
// general JSON serialization one recipient per credential (Encrypted Key Mode, 8.5.2.2.1 B). Direct
// encryption is allowed only alone (a single key, 8.5.2.2.1).
import { CompactEncrypt, GeneralEncrypt } from 'jose';
import { type EsdataJweAlg, type EsdataJweEnc, isJweAlg, isJweEnc } from '../algorithms.js';
import type { EsdataKey } from '../keys.js';
import { checkKey } from '../lib/check-key.js';
import { EsdataError } from '../lib/errors.js';

export interface JweRecipient extends EsdataKey {
  readonly alg: EsdataJweAlg;
}

const bytes = (p: Uint8Array | string) => (typeof p === 'string' ? new TextEncoder().encode(p) : p);

function check(r: JweRecipient, enc: EsdataJweEnc): void {
  if (!isJweAlg(r.alg))
    throw new EsdataError(
      'ERR_ESDATA_ALGORITHM',
      `JWE "alg" ${String(r.alg)} is not allowed for ESData (TS-0003 Table 8.5.3.2-3)`,
    );
  if (!isJweEnc(enc))
    throw new EsdataError(
      'ERR_ESDATA_ALGORITHM',
      `JWE "enc" ${String(enc)} is not allowed for ESData (TS-0003 Table 8.5.3.2-4)`,
    );
  checkKey(r.alg, r.key, enc);
}

export async function encryptCompact(
  payload: Uint8Array | string,
  recipient: JweRecipient,
  enc: EsdataJweEnc,
  cty?: string,
): Promise<string> {
  check(recipient, enc);
  return new CompactEncrypt(bytes(payload))
    .setProtectedHeader({ alg: recipient.alg, enc, kid: recipient.kid, ...(cty ? { cty } : {}) })
    .encrypt(recipient.key);
}

export async function encryptJson(
  payload: Uint8Array | string,
  recipients: readonly JweRecipient[],
  enc: EsdataJweEnc,
  cty?: string,
): Promise<object> {
  if (recipients.length === 0) throw new EsdataError('ERR_ESDATA_KEY', 'a JWE needs at least one credential');
  if (recipients.length > 1 && recipients.some((r) => r.alg === 'dir'))
    throw new EsdataError(
      'ERR_ESDATA_ALGORITHM',
      'direct encryption uses a single key and cannot be combined with other recipients',
    );
  const g = new GeneralEncrypt(bytes(payload)).setProtectedHeader({ enc, ...(cty ? { cty } : {}) });
  for (const r of recipients) {
    check(r, enc);
    g.addRecipient(r.key).setUnprotectedHeader({ alg: r.alg, kid: r.kid });
  }
  return g.encrypt();
}
