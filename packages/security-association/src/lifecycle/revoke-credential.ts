// Revocation of a SAEF credential (a Kpsa / PSK identity, TS-0003 6.2.5 and 8.2.1; issue 12): the key
// leaves the credential store (no new handshake), its Credential-ID binding goes (its AE-IDs are
// free of it), and every live association established with it is torn down at once (the next
// request on such a session fails: the socket is closed).
import type { PersistentCredentialBindings } from '../bindings/persistent-bindings.js';
import type { SecurityAssociationRegistry } from '../registry/registry.js';

export interface CredentialRevocationOptions {
  bindings: Pick<PersistentCredentialBindings, 'delete'>;
  registry: SecurityAssociationRegistry;
  /** Deletes the key (e.g. CredentialStore.delete) and refreshes the PSK directory. */
  deleteKey: (keyId: string) => Promise<void>;
}

/**
 * Revokes the PSK credential `keyId` (the psk_identity / KpsaID; Credential-ID 12-<keyId>).
 * Returns how many live associations were torn down.
 */
export async function revokePskCredential(o: CredentialRevocationOptions, keyId: string): Promise<number> {
  const credentialId = `12-${keyId}`;
  await o.deleteKey(keyId);
  await o.bindings.delete(credentialId);
  return o.registry.teardown(
    (a) => a.framework === 'psk' && a.credentialId === credentialId,
    `credential ${credentialId} revoked`,
  );
}
