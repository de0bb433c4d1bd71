import { asBuffer } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';
import { pSha256 } from './p-sha256.js';

/**
 * The TLS 1.2 PRF with SHA-256 (RFC 5246 section 5): PRF(secret, label, seed) = P_SHA256(secret, label || seed).
 * The label is an ASCII string, as every label RFC 5246 and RFC 5705 define.
 */
export function tls12Prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  if (typeof label !== 'string' || !/^[\x20-\x7e]*$/.test(label)) {
    throw new CryptoInputError('ERR_INPUT_TYPE', 'label must be a printable ASCII string');
  }
  return pSha256(secret, Buffer.concat([Buffer.from(label, 'ascii'), asBuffer(seed, 'seed')]), length);
}
