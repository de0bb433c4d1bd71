// PSK revocations shared by the CSE instances of one store (issue 18; docs/scale-out.md). Each replica
// holds the Kpsa keys in its own secure environment, so revoking a credential at one replica removed the
// key there only: a handshake with it at another replica still succeeded. A revocation is therefore
// recorded in the shared store and announced ('psk-revoked'); every replica deletes the key from its own
// SE and tears down the sessions made with it, and a replica that was down applies the record when it
// starts. Re-provisioning the ID (the credentials CLI's add-psk) clears the record.
import type { Store } from '@m2msec/store';

export const PSK_REVOCATIONS = 'sa-psk-revocations';
const CHANNEL = 'psk-revoked';

export interface SharedPskRevocations {
  /** Records the revocation of `keyId` (the KpsaID) and announces it to every instance. */
  record(keyId: string): Promise<void>;
  /** Forgets a revocation (the ID is provisioned again). */
  clear(keyId: string): Promise<void>;
  close(): void;
}

/**
 * Opens the shared record. `apply(keyId)` removes the key and its sessions locally (idempotent: an ID
 * this instance does not hold is ignored); it runs for every recorded revocation at open, for each one
 * announced later, and for all again after events may have been missed.
 */
export async function openSharedPskRevocations(
  store: Store,
  apply: (keyId: string) => Promise<void>,
  onError: (message: string) => void = () => undefined,
): Promise<SharedPskRevocations> {
  const revocations = store.collection<{ at: number }>(PSK_REVOCATIONS);
  const applyAll = async () => {
    for (const { key } of await revocations.list()) await apply(key);
  };
  const heard = (keyId: string | null) => {
    (keyId === null ? applyAll() : apply(keyId)).catch((e: Error) =>
      onError(`applying a shared PSK revocation failed: ${e.message}`),
    );
  };
  // Listen before reading: a revocation recorded in between is both read and heard.
  const off = await store.events.subscribe(CHANNEL, heard);
  await applyAll();
  return {
    async record(keyId) {
      await store.transaction(async (tx) => {
        await tx.collection<{ at: number }>(PSK_REVOCATIONS).put(keyId, { at: Date.now() });
        await tx.events.publish(CHANNEL, keyId);
      });
    },
    async clear(keyId) {
      await revocations.delete(keyId);
    },
    close: off,
  };
}
