import { createHmac, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
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

/**
 * What the issuer verifies with: for HMAC-SHA-256 its copy of the session key (raw bytes, or a handle
 * in the issuer's own SE); for ECDSA-P256-SHA256 the device SE's registered public key (SPKI DER or a
 * public KeyObject), or a handle of it in an SE.
 */
export type AttestationKey =
  | Uint8Array
  | { se: SecureEnvironment; key: KeyRef }
  | { publicKey: Uint8Array | KeyObject };

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
  if (attestation?.version !== 1) return false;
  if (attestation.algorithm !== 'HMAC-SHA-256' && attestation.algorithm !== 'ECDSA-P256-SHA256') return false;
  // The algorithm must fit the key the issuer holds (checked per kind of key below): an HMAC tag is
  // never checked against a public key, nor a signature against a shared secret.
  const ecdsa = attestation.algorithm === 'ECDSA-P256-SHA256';
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
  const proof = fromBase64url(attestation.mac);
  if (key instanceof Uint8Array) {
    return !ecdsa && equalConstantTime(createHmac('sha256', key).update(transcript).digest(), proof);
  }
  if ('publicKey' in key) {
    if (!ecdsa || proof.length !== 64) return false;
    try {
      const pub =
        key.publicKey instanceof Uint8Array
          ? createPublicKey({ key: Buffer.from(key.publicKey), format: 'der', type: 'spki' })
          : key.publicKey;
      if (pub.type !== 'public' || pub.asymmetricKeyType !== 'ec') return false;
      return nodeVerify('sha256', transcript, { key: pub, dsaEncoding: 'ieee-p1363' }, proof);
    } catch {
      return false;
    }
  }
  try {
    return ecdsa
      ? await key.se.verify(key.key, transcript, proof)
      : await key.se.verifyMac(key.key, transcript, proof, 'HMAC-SHA-256');
  } catch {
    return false;
  }
}
