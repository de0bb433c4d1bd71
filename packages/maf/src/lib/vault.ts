// Secrets the MAF keeps (Km, distributed keys) are sealed under a KEK inside its secure environment
// (openSealedVault: the purpose and record ID are associated data, so a sealed Kc cannot be replayed
// as another record's Km). Several MAF instances over one PostgreSQL database need the same KEK.
import { openSealedVault, type SealedVault, type SecureEnvironment } from '@m2msec/secure-environment';

export const MAF_KEK_ID = 'maf/kek';

export type KeyVault = SealedVault;

export function openMafVault(se: SecureEnvironment): Promise<KeyVault> {
  return openSealedVault(se, { kekId: MAF_KEK_ID, label: 'MAF KEK' });
}
