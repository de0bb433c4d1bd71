// sessionESPrimKey (TS-0003 10.3.8.2), via the crypto package's derivation, cut to the CEK length of the
// chosen "enc": HMAC-SHA256 yields 32 bytes, A128GCM / A192GCM take the first 16 / 24 (the spec is silent
// on shorter AEAD keys; the leading bytes are the choice, see docs/end-to-end-security.md).
import { deriveSessionESPrimKey } from '@m2msec/crypto';
import { cekLength, type EsprimEnc } from '../algorithms.js';
import { type OriginatorESPrimRandObject, type ReceiverESPrimRandObject, randObjectOctets } from './rand-object.js';

export function sessionESPrimKey(
  pairwiseESPrimKey: Uint8Array,
  receiver: ReceiverESPrimRandObject,
  originator: OriginatorESPrimRandObject,
): Buffer {
  return deriveSessionESPrimKey(pairwiseESPrimKey, randObjectOctets(receiver), randObjectOctets(originator));
}

export function contentEncryptionKey(sessionKey: Buffer, enc: EsprimEnc): Buffer {
  return sessionKey.subarray(0, cekLength(enc));
}
