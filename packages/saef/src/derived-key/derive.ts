// K_RS-C = P_SHA256(K_RS-TA, identity) (RFC 5246 5 P_hash), 32 bytes. The seed is exactly the UTF-8
// octets of the complete psk_identity string "DK.<TA_id>.<C_id>.<seq>.<random>" (ASCII only, so UTF-8
// and ASCII agree); no label, no length prefix, nothing else.
import { pSha256 } from '@m2msec/crypto';
import { SaefError } from '../lib/errors.js';

export const DERIVED_KEY_LENGTH = 32;

export function deriveClientKey(kRsTa: Uint8Array, identity: string): Buffer {
  if (!(kRsTa instanceof Uint8Array) || kRsTa.length < 16) {
    throw new SaefError('INVALID_INPUT', 'K_RS-TA must be at least 16 bytes');
  }
  return pSha256(kRsTa, Buffer.from(identity, 'utf8'), DERIVED_KEY_LENGTH);
}
