import { createHmac } from 'node:crypto';
import { equalConstantTime, fromBase64url } from '../lib/bytes.js';
import type { KeyRef, ProvisioningAttestation, ProvisioningOperation, SecureEnvironment } from '../types.js';
import { encodeTranscript, normaliseOperation } from './transcript.js';

export interface AttestationExpectation {
  issuer: string;
  /** The nonce the issuer sent to commit. */
  nonce: Uint8Array;
  /** The operations the issuer staged, in order (with the material it sent). */
  operations: readonly ProvisioningOperation[];
}

/** The issuer's copy of the session key: raw bytes, or a handle in the issuer's own SE. */
export type AttestationKey = Uint8Array | { se: SecureEnvironment; key: KeyRef };

/**
 * Issuer side: rebuild the transcript from what the issuer staged (plus the public keys the
 * device reports for on-board generated EC keys, which the MAC binds) and check the MAC.
 * Returns false for any mismatch; never throws on a forged attestation.
 */
export async function verifyProvisioningAttestation(
  attestation: ProvisioningAttestation,
  expected: AttestationExpectation,
  key: AttestationKey,
): Promise<boolean> {
  if (attestation?.version !== 1 || attestation.algorithm !== 'HMAC-SHA-256') return false;
  if (attestation.issuer !== expected.issuer) return false;
  if (attestation.operationCount !== expected.operations.length) return false;
  if (!equalConstantTime(fromBase64url(attestation.nonce), expected.nonce)) return false;
  let operations: ProvisioningOperation[];
  try {
    operations = expected.operations.map(normaliseOperation);
  } catch {
    return false;
  }
  const generatedEc = new Set(
    operations.flatMap((o) => (o.op === 'generate-key' && o.spec.algorithm === 'EC-P256' ? [o.spec.id] : [])),
  );
  const publicKeys: Record<string, Uint8Array> = {};
  for (const [id, spki] of Object.entries(attestation.publicKeys ?? {})) {
    if (!generatedEc.has(id)) return false;
    publicKeys[id] = fromBase64url(spki);
  }
  if (Object.keys(publicKeys).length !== generatedEc.size) return false;
  const transcript = encodeTranscript(expected.issuer, attestation.sessionId, operations, publicKeys, expected.nonce);
  const tag = fromBase64url(attestation.mac);
  if (key instanceof Uint8Array) {
    return equalConstantTime(createHmac('sha256', key).update(transcript).digest(), tag);
  }
  return key.se.verifyMac(key.key, transcript, tag, 'HMAC-SHA-256');
}
