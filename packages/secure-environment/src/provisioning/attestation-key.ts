// Which keys may attest a provisioning session, and with which usage (DESIGN section 4): an HMAC key
// ('mac') shared with the issuer, or an EC P-256 key ('sign') generated in the SE whose public key the
// issuer registered, so that only this SE can make the proof.
import { seError } from '../errors.js';
import type { AttestationAlgorithm, KeyHandle } from '../types.js';

export function attestationKeyUse(meta: KeyHandle): { usage: 'mac' | 'sign'; algorithm: AttestationAlgorithm } {
  if (meta.algorithm === 'HMAC') return { usage: 'mac', algorithm: 'HMAC-SHA-256' };
  if (meta.algorithm === 'EC-P256') return { usage: 'sign', algorithm: 'ECDSA-P256-SHA256' };
  throw seError('INVALID_INPUT', 'a provisioning session key must be an HMAC key or an EC-P256 signing key');
}
