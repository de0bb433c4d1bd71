import { AesBlockCipher } from '../lib/aes-block.js';
import { checkLength } from '../lib/bytes.js';

/** OPc = OP xor E_K(OP) (3GPP TS 35.206 clause 4.1). K and OP are 16 bytes. */
export function computeOPc(k: Uint8Array, op: Uint8Array): Buffer {
  const key = checkLength(k, 'K', 16, 'ERR_KEY_LENGTH');
  const o = checkLength(op, 'OP', 16);
  const e = new AesBlockCipher(key, [16]).encryptBlock(o);
  for (let i = 0; i < 16; i++) e[i]! ^= o[i]!;
  return e;
}
