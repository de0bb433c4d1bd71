// Secrets a role server must keep outside the SE (in its store) are sealed: AES-256-GCM inside the SE
// under a key-encryption key that never leaves it, with the purpose and record ID as associated data,
// so a sealed value cannot be replayed as another record's or another purpose's secret. Several
// instances sharing one database must share the KEK: give each the same 32 bytes (`kek`), imported
// into its SE on first start; otherwise a random KEK is generated in the SE.
import type { SecureEnvironment } from './types.js';

export interface SealedVault {
  seal(purpose: string, id: string, key: Uint8Array): Promise<string>;
  open(purpose: string, id: string, sealed: string): Promise<Buffer>;
}

export async function openSealedVault(
  se: SecureEnvironment,
  o: { kekId: string; label: string; kek?: Uint8Array },
): Promise<SealedVault> {
  if (!(await se.getKey(o.kekId))) {
    if (o.kek) {
      if (o.kek.length !== 32) throw new Error(`the ${o.label} must be 32 bytes`);
      await se.importKey({ id: o.kekId, algorithm: 'AES', usages: ['encrypt'], label: o.label }, o.kek);
    } else {
      await se.generateKey({ id: o.kekId, algorithm: 'AES', length: 32, usages: ['encrypt'], label: o.label });
    }
  }
  const aad = (purpose: string, id: string) => Buffer.from(`${purpose}\u0000${id}`, 'utf8');
  return {
    async seal(purpose, id, key) {
      const { iv, ciphertext } = await se.encrypt(o.kekId, key, aad(purpose, id));
      return `${Buffer.from(iv).toString('base64url')}.${Buffer.from(ciphertext).toString('base64url')}`;
    },
    async open(purpose, id, sealed) {
      const [iv, ct] = String(sealed).split('.');
      if (!iv || !ct) throw new Error(`sealed ${purpose} of '${id}' is malformed`);
      return Buffer.from(
        await se.decrypt(
          o.kekId,
          { iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ct, 'base64url') },
          aad(purpose, id),
        ),
      );
    },
  };
}
