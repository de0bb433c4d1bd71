import { createCipheriv } from 'node:crypto';
import { AesBlockCipher } from '../lib/aes-block.js';
import { asBuffer } from '../lib/bytes.js';

const BLOCK = 16;
const RB = 0x87; // RFC 4493 section 2.3: R_128 constant
const ZERO_IV = Buffer.alloc(BLOCK);
const CBC_BY_KEY_LENGTH: Record<number, string> = { 16: 'aes-128-cbc', 24: 'aes-192-cbc', 32: 'aes-256-cbc' };

/** Doubling in GF(2^128) (RFC 4493 section 2.3, step 2/3 of Generate_Subkey). */
function dbl(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BLOCK);
  let carry = 0;
  for (let i = BLOCK - 1; i >= 0; i--) {
    const b = input[i]!;
    out[i] = ((b << 1) | carry) & 0xff;
    carry = b >>> 7;
  }
  if (input[0]! & 0x80) out[BLOCK - 1]! ^= RB;
  return out;
}

/**
 * AES-CMAC (RFC 4493; also NIST SP 800-38B for 192/256-bit keys) bound to one key: subkeys K1/K2
 * are computed once, then each `mac()` is a CBC-MAC over the blocks with the last one masked.
 * It holds a copy of the key for as long as it lives.
 */
export class AesCmac {
  readonly #aes: AesBlockCipher;
  readonly #k1: Buffer;
  readonly #k2: Buffer;
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    this.#aes = new AesBlockCipher(key);
    this.#key = Buffer.from(key);
    const l = this.#aes.encryptBlock(Buffer.alloc(BLOCK));
    this.#k1 = dbl(l);
    this.#k2 = dbl(this.#k1);
    l.fill(0);
  }

  /** The full 16-byte tag T of RFC 4493 section 2.4. */
  mac(message: Uint8Array): Buffer {
    const m = asBuffer(message, 'message');
    const n = Math.max(1, Math.ceil(m.length / BLOCK));
    const complete = m.length > 0 && m.length % BLOCK === 0;
    // M' = M_1 .. M_{n-1} || (M_n xor K1) when M_n is complete, else (pad(M_n) xor K2), pad = 10*.
    const buf = Buffer.alloc(n * BLOCK);
    m.copy(buf);
    const off = (n - 1) * BLOCK;
    if (!complete) buf[m.length] = 0x80;
    const sub = complete ? this.#k1 : this.#k2;
    for (let j = 0; j < BLOCK; j++) buf[off + j]! ^= sub[j]!;
    // T = last block of AES-CBC(K, IV = 0, M'). One block goes through the open ECB context; longer
    // messages through a single CBC call, which costs less than one ECB call per block.
    if (n === 1) return this.#aes.encryptBlock(buf);
    const cbc = createCipheriv(CBC_BY_KEY_LENGTH[this.#key.length]!, this.#key, ZERO_IV).setAutoPadding(false);
    return cbc.update(buf).subarray(off);
  }
}

/** One-shot AES-CMAC(K, M) of RFC 4493: a 16-byte tag. Key of 16 (AES-128), 24 or 32 bytes. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  return new AesCmac(key).mac(message);
}
