// Public-key 4-pass profile, pass 3 (docs/dskpp.md): the server decrypts EncryptedNonce with the
// private key of the certificate it sent in KeyProvServerHello. R_C is then the key-encryption key
// of the KeyContainer (kw-aes128), so it must be exactly 16 bytes.
import { constants, type KeyObject, privateDecrypt } from 'node:crypto';
import { DskppError } from '../lib/errors.js';

export const CLIENT_KEK_LENGTH = 16;

export function decryptClientNonce(privateKey: KeyObject, encryptedNonce: Uint8Array): Uint8Array {
  let clientNonce: Uint8Array;
  try {
    // rsa-oaep-mgf1p: OAEP with SHA-1 and MGF1-SHA-1, empty label (XML Encryption 1.0 section 5.4.2).
    clientNonce = new Uint8Array(
      privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, encryptedNonce),
    );
  } catch {
    // One answer for every decryption failure: no padding oracle.
    throw new DskppError('InitializationFailed', 'EncryptedNonce could not be decrypted with the server key');
  }
  if (clientNonce.length !== CLIENT_KEK_LENGTH) {
    clientNonce.fill(0);
    throw new DskppError('InitializationFailed', `R_C must be a ${CLIENT_KEK_LENGTH}-byte key-encryption key`);
  }
  return clientNonce;
}
