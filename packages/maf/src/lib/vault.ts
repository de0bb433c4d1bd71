// Secrets the MAF keeps (Km, distributed keys) are stored sealed: AES-256-GCM inside the MAF's secure
// environment under a key-encryption key that never leaves it, with the purpose and record ID as
// associated data (a sealed Kc cannot be replayed as another record's Km). Several MAF instances over
// one PostgreSQL database share records; each needs the same KEK in its SE.
import type { SecureEnvironment } from '@m2msec/secure-environment';

export const MAF_KEK_ID = 'maf/kek';

export interface KeyVault {
  seal(purpose: string, id: string, key: Uint8Array): Promise<string>;
  open(purpose: string, id: string, sealed: string): Promise<Buffer>;
}

export async function openMafVault(se: SecureEnvironment): Promise<KeyVault> {
  if (!(await se.getKey(MAF_KEK_ID))) {
    await se.generateKey({ id: MAF_KEK_ID, algorithm: 'AES', length: 32, usages: ['encrypt'], label: 'MAF KEK' });
  }
  const aad = (purpose: string, id: string) => Buffer.from(`${purpose}\u0000${id}`, 'utf8');
  return {
    async seal(purpose, id, key) {
      const { iv, ciphertext } = await se.encrypt(MAF_KEK_ID, key, aad(purpose, id));
      return `${Buffer.from(iv).toString('base64url')}.${Buffer.from(ciphertext).toString('base64url')}`;
    },
    async open(purpose, id, sealed) {
      const [iv, ct] = String(sealed).split('.');
      if (!iv || !ct) throw new Error(`sealed ${purpose} of '${id}' is malformed`);
      return Buffer.from(
        await se.decrypt(
          MAF_KEK_ID,
          { iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ct, 'base64url') },
          aad(purpose, id),
        ),
      );
    },
  };
}
