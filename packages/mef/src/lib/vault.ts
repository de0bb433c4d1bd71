// Secrets the MEF must keep (Kpm, Ke, target PSKs, Digest HA1) are sealed under a KEK inside its
// secure environment (openSealedVault: the purpose and record ID are associated data, so a sealed Ke
// cannot be replayed as another record's Kpm).
import type { KeyVault } from '@m2msec/rspf';
import { openSealedVault, type SecureEnvironment } from '@m2msec/secure-environment';

export const MEF_KEK_ID = 'mef/kek';

/**
 * The vault over the SE's KEK. Several MEF instances sharing one database must share the KEK: give
 * each the same 32 bytes (`kek`), imported into its SE on first start; otherwise a random KEK is
 * generated in the SE.
 */
export function openKeyVault(se: SecureEnvironment, kek?: Uint8Array): Promise<KeyVault> {
  return openSealedVault(se, { kekId: MEF_KEK_ID, label: 'MEF key-encryption key', ...(kek ? { kek } : {}) });
}
