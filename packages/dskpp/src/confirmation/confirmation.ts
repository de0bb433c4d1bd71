// Proof of successful provisioning sent back to the issuer (_design_; RFC 6063 ends with
// KeyProvServerFinished and has no such message, see docs/dskpp.md section 2). After the client's SE
// committed K_TOKEN and its KeyContainer, the client sends:
//   mac         = MAC(K_TOKEN, "m2msec DSKPP provisioning confirmation" || 0x00 || KeyId || 0x00 || nonce)
//                 computed in the SE with the new key (AES-CMAC for AES keys, HMAC-SHA-256 for HMAC keys):
//                 the key is installed and usable, and equals the issuer's copy;
//   attestation = the SE's proof over the provisioning transcript (issuer, the imported key, the
//                 KeyContainer, nonce = R_S in 4-pass, R_C in 2-pass); with an EC attestation key
//                 generated in the SE, the issuer verifies it with the device's registered public key.
import { createHmac } from 'node:crypto';
import { aesCmac, constantTimeEqual } from '@m2msec/crypto';
import type { KeyUsage, ProvisioningAttestation } from '@m2msec/secure-environment';
import { concatBytes, utf8 } from '../lib/bytes.js';

export interface ProvisioningConfirmation {
  keyId: string;
  /** base64url of the confirmation MAC. */
  mac: string;
  attestation: ProvisioningAttestation;
  /** Usages the device gave the key in its SE (part of the attested transcript). */
  usages: KeyUsage[];
}

const LABEL = utf8('m2msec DSKPP provisioning confirmation');

export function confirmationInput(keyId: string, nonce: Uint8Array): Uint8Array {
  return concatBytes(LABEL, Uint8Array.of(0), utf8(keyId), Uint8Array.of(0), nonce);
}

export function confirmationMacAlgorithm(keyLength: number): 'AES-CMAC' | 'HMAC-SHA-256' {
  return keyLength === 16 ? 'AES-CMAC' : 'HMAC-SHA-256';
}

/** The issuer's check of the MAC with its copy of K_TOKEN. */
export function verifyConfirmationMac(kToken: Uint8Array, keyId: string, nonce: Uint8Array, mac: Uint8Array): boolean {
  const input = confirmationInput(keyId, nonce);
  const expected =
    confirmationMacAlgorithm(kToken.length) === 'AES-CMAC'
      ? aesCmac(kToken, input)
      : createHmac('sha256', kToken).update(input).digest();
  return constantTimeEqual(new Uint8Array(expected), mac);
}
