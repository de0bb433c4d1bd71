import { asBuffer } from '../lib/bytes.js';
import { aesCmac } from './aes-cmac.js';

const ZERO_KEY = Buffer.alloc(16);

/**
 * AES-CMAC-PRF-128 (RFC 4615 section 3): a variable-length key VK is first reduced to 128 bits
 * (K = VK if 16 bytes, else K = AES-CMAC(0^128, VK)), then PRV = AES-CMAC(K, M).
 */
export function aesCmacPrf128(variableKey: Uint8Array, message: Uint8Array): Buffer {
  const vk = asBuffer(variableKey, 'variableKey');
  const k = vk.length === 16 ? vk : aesCmac(ZERO_KEY, vk);
  return aesCmac(k, message);
}
