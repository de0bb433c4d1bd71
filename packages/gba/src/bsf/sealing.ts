// Secrets at rest in the store (K || OPc per subscriber, Ks per B-TID) are AES-GCM sealed by the
// secure environment under a key-encryption key that never leaves it. The AAD binds each blob to its
// record (IMPI or B-TID), so a row copied onto another row does not decrypt.
import type { KeyRef, SecureEnvironment } from '@m2msec/secure-environment';

export interface SealedSecret {
  readonly iv: string;
  readonly ct: string;
}

export interface Sealer {
  seal(kind: 'subscriber' | 'ks', recordId: string, plaintext: Uint8Array): Promise<SealedSecret>;
  open(kind: 'subscriber' | 'ks', recordId: string, sealed: SealedSecret): Promise<Buffer>;
}

export function createSealer(se: SecureEnvironment, kek: KeyRef): Sealer {
  const aad = (kind: string, id: string) => Buffer.from(`m2msec-gba/${kind}/v1\u0000${id}`, 'utf8');
  return {
    async seal(kind, recordId, plaintext) {
      const s = await se.encrypt(kek, plaintext, aad(kind, recordId));
      return { iv: Buffer.from(s.iv).toString('base64'), ct: Buffer.from(s.ciphertext).toString('base64') };
    },
    async open(kind, recordId, sealed) {
      const plain = await se.decrypt(
        kek,
        { iv: Buffer.from(sealed.iv, 'base64'), ciphertext: Buffer.from(sealed.ct, 'base64') },
        aad(kind, recordId),
      );
      return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
    },
  };
}
