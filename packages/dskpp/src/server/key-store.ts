// Where the server puts each provisioned K_TOKEN before it answers (DESIGN section 5: commit before
// you answer). The MEF keeps the key to serve Enrolment Targets; an SE-backed store keeps the bytes
// inside its Secure Environment.
import type { SealedVault, SecureEnvironment } from '@m2msec/secure-environment';
import type { Collection } from '@m2msec/store';
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

/** A provisioned key as the MEF records it (`confirmedKeyStore`): K_TOKEN sealed, state of the confirmation. */
export interface ProvisionedKeyRecord {
  keyId: string;
  clientId: string;
  keyType: string;
  variant: ProvisionedKey['variant'];
  sessionId: string;
  device?: DeviceIdentity;
  notBefore: number;
  notAfter: number;
  /** K_TOKEN sealed by the SE's vault (AES-256-GCM, purpose and KeyId as associated data). */
  sealed: string;
  keyContainerXml?: string;
  /** 'provisioned': saved before pass 4 / pass 2 left, not yet proven to be held by the device. */
  state: 'provisioned' | 'confirmed';
  provisionedAt: number;
  confirmedAt?: number;
}

export interface ConfirmedKeyStore extends ProvisionedKeyStore {
  find(keyId: string): Promise<ProvisionedKey | undefined>;
  markConfirmed(keyId: string, at: number): Promise<boolean>;
  /**
   * Removes every key still 'provisioned' `timeoutMs` after it was saved (its device never proved it holds
   * it: the answer was lost, or the device gave up), from the SE as well. Returns how many it removed.
   */
  sweep(timeoutMs: number, now?: number): Promise<number>;
}

const SEALED_PURPOSE = 'dskpp-k-token';

/**
 * Crash-consistent key store for a DSKPP server whose keys must be usable only once the device has them
 * (the MEF). `save` (before the final pass is answered) writes one record with K_TOKEN sealed, state
 * 'provisioned': the key is not in the SE, so nothing can use it. The device's provisioning confirmation
 * (`/confirmation`, docs/dskpp.md section 3) imports it into the SE as a 'mac' key under its KeyId and only
 * then marks the record 'confirmed'; a confirmation repeated after a crash in between finds the key
 * already imported and completes. `sweep` deletes what stayed unconfirmed past its timeout. A kill at any
 * point leaves either no record, a 'provisioned' one (swept), or a 'confirmed' one with its SE key.
 */
export function confirmedKeyStore(o: {
  se: SecureEnvironment;
  records: Collection<ProvisionedKeyRecord>;
  vault: SealedVault;
  now?: () => number;
}): ConfirmedKeyStore {
  const now = o.now ?? Date.now;
  const seAlgorithm = (secret: Uint8Array) => (secret.length === 16 ? 'AES' : 'HMAC');
  return {
    async save(key) {
      const record: ProvisionedKeyRecord = {
        keyId: key.keyId,
        clientId: key.clientId,
        keyType: key.keyType,
        variant: key.variant,
        sessionId: key.sessionId,
        ...(key.device ? { device: key.device } : {}),
        notBefore: key.notBefore,
        notAfter: key.notAfter,
        sealed: await o.vault.seal(SEALED_PURPOSE, key.keyId, key.secret),
        ...(key.keyContainerXml !== undefined ? { keyContainerXml: key.keyContainerXml } : {}),
        state: 'provisioned',
        provisionedAt: now(),
      };
      if (!(await o.records.insert(key.keyId, record))) throw new Error(`key ${key.keyId} already provisioned`);
    },
    async find(keyId) {
      const r = await o.records.get(keyId);
      if (!r) return undefined;
      const secret = await o.vault.open(SEALED_PURPOSE, keyId, r.sealed);
      const { sealed: _sealed, state: _state, provisionedAt: _at, confirmedAt, ...rest } = r;
      return { ...rest, secret: new Uint8Array(secret), ...(confirmedAt !== undefined ? { confirmedAt } : {}) };
    },
    async markConfirmed(keyId, at) {
      const r = await o.records.get(keyId);
      if (!r) return false;
      if (r.state === 'confirmed') return false;
      const secret = await o.vault.open(SEALED_PURPOSE, keyId, r.sealed);
      try {
        // Imported before the record says 'confirmed': a crash in between is completed by the retry.
        if (!(await o.se.getKey(keyId))) {
          await o.se.importKey(
            { algorithm: seAlgorithm(secret), usages: ['mac'], id: keyId, label: `dskpp:${r.clientId}` },
            secret,
          );
        }
      } finally {
        secret.fill(0);
      }
      await o.records.put(keyId, { ...r, state: 'confirmed', confirmedAt: at });
      return true;
    },
    async sweep(timeoutMs, at = now()) {
      let removed = 0;
      for (const { key, value } of await o.records.list()) {
        if (value.state !== 'provisioned' || value.provisionedAt + timeoutMs > at) continue;
        // SE key first: a crash in between leaves the record, and the next sweep finishes.
        if (await o.se.getKey(key)) await o.se.deleteKey(key);
        if (await o.records.delete(key)) removed++;
      }
      return removed;
    },
  };
}
