// Secrets the MEF must keep (Kpm, Ke, target PSKs, Digest HA1) are stored sealed: AES-256-GCM inside
// the MEF's secure environment under a key-encryption key that never leaves it, with the purpose and
// record ID as associated data (a sealed Ke cannot be replayed as another record's Kpm).
import type { KeyVault } from '@m2msec/rspf';
import type { SecureEnvironment } from '@m2msec/secure-environment';

export const MEF_KEK_ID = 'mef/kek';

/**
 * The vault over the SE's KEK. Several MEF instances sharing one database must share the KEK: give
 * each the same 32 bytes (`kek`), imported into its SE on first start; otherwise a random KEK is
 * generated in the SE.
 */
export async function openKeyVault(se: SecureEnvironment, kek?: Uint8Array): Promise<KeyVault> {
  if (!(await se.getKey(MEF_KEK_ID))) {
    if (kek) {
      if (kek.length !== 32) throw new Error('the MEF key-encryption key must be 32 bytes');
      await se.importKey({ id: MEF_KEK_ID, algorithm: 'AES', usages: ['encrypt'], label: 'MEF KEK' }, kek);
    } else {
      await se.generateKey({ id: MEF_KEK_ID, algorithm: 'AES', length: 32, usages: ['encrypt'], label: 'MEF KEK' });
    }
  }
  const aad = (purpose: string, id: string) => Buffer.from(`${purpose}\u0000${id}`, 'utf8');
  return {
    async seal(purpose, id, key) {
      const { iv, ciphertext } = await se.encrypt(MEF_KEK_ID, key, aad(purpose, id));
      return `${Buffer.from(iv).toString('base64url')}.${Buffer.from(ciphertext).toString('base64url')}`;
    },
    async open(purpose, id, sealed) {
      const [iv, ct] = String(sealed).split('.');
      if (!iv || !ct) throw new Error(`sealed ${purpose} of '${id}' is malformed`);
      return Buffer.from(
        await se.decrypt(
          MEF_KEK_ID,
          { iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ct, 'base64url') },
          aad(purpose, id),
        ),
      );
    },
  };
}
