// Public-key 4-pass profile, pass 3 on the client (docs/dskpp.md): R_C, a fresh 16-byte
// key-encryption key, RSA-OAEP encrypted (rsa-oaep-mgf1p: SHA-1, MGF1-SHA-1) to the verified server key.
import { constants, type KeyObject, publicEncrypt } from 'node:crypto';

export function encryptClientNonce(serverKey: KeyObject, clientNonce: Uint8Array): Uint8Array {
  return new Uint8Array(
    publicEncrypt({ key: serverKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, clientNonce),
  );
}
