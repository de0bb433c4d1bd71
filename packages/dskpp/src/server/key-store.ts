// Where the server puts each provisioned K_TOKEN before it answers (DESIGN section 5: commit before
// you answer). The MEF keeps the key to serve Enrolment Targets; an SE-backed store keeps the bytes
// inside its Secure Environment.
import type { SecureEnvironment } from '@m2msec/secure-environment';
import type { DeviceIdentity } from '../messages/types.js';

export interface ProvisionedKey {
  keyId: string;
  clientId: string;
  keyType: string;
  variant: 'four-pass' | 'two-pass';
  sessionId: string;
  device?: DeviceIdentity;
  notBefore: number;
  notAfter: number;
  /** K_TOKEN. The store owns this copy. */
  secret: Uint8Array;
  /** The KeyContainer exactly as the client reads it (needed to check the client's SE attestation). */
  keyContainerXml?: string;
  /** When the device's proof of successful provisioning was accepted (confirmation.ts). */
  confirmedAt?: number;
}

export interface ProvisionedKeyStore {
  save(key: ProvisionedKey): Promise<void>;
  /** The stored key, for checking a provisioning confirmation (optional: stores that keep K_TOKEN in an SE cannot). */
  find?(keyId: string): Promise<ProvisionedKey | undefined>;
  /** Records the confirmation; false if the key was already confirmed. */
  markConfirmed?(keyId: string, at: number): Promise<boolean>;
}

/** Keeps keys in process memory (tests and examples). */
export class MemoryProvisionedKeyStore implements ProvisionedKeyStore {
  readonly keys = new Map<string, ProvisionedKey>();
  async save(key: ProvisionedKey): Promise<void> {
    if (this.keys.has(key.keyId)) throw new Error(`key ${key.keyId} already provisioned`);
    this.keys.set(key.keyId, { ...key, secret: Uint8Array.from(key.secret) });
  }

  async find(keyId: string): Promise<ProvisionedKey | undefined> {
    return this.keys.get(keyId);
  }

  async markConfirmed(keyId: string, at: number): Promise<boolean> {
    const k = this.keys.get(keyId);
    if (!k || k.confirmedAt !== undefined) return false;
    k.confirmedAt = at;
    return true;
  }
}

/** Imports each K_TOKEN into the server's SE as a 'mac' key under its PSKC KeyId. */
export function secureEnvironmentKeyStore(se: SecureEnvironment): ProvisionedKeyStore {
  return {
    async save(key) {
      const algorithm = key.secret.length === 16 ? 'AES' : 'HMAC';
      await se.importKey({ algorithm, usages: ['mac'], id: key.keyId, label: `dskpp:${key.clientId}` }, key.secret);
    },
  };
}
