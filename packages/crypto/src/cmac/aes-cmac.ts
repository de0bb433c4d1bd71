import { AesBlockCipher } from '../lib/aes-block.js';
import { asBuffer } from '../lib/bytes.js';

const BLOCK = 16;
const RB = 0x87; // RFC 4493 section 2.3: R_128 constant

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
 */
export class AesCmac {
  readonly #aes: AesBlockCipher;
  readonly #k1: Buffer;
  readonly #k2: Buffer;

  constructor(key: Uint8Array) {
    this.#aes = new AesBlockCipher(key);
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
    const x = Buffer.alloc(BLOCK);
    for (let i = 0; i < n - 1; i++) {
      const off = i * BLOCK;
      for (let j = 0; j < BLOCK; j++) x[j]! ^= m[off + j]!;
      this.#aes.encryptBlock(x).copy(x);
    }
    // Last block: XOR with K1 if complete, else pad 10* and XOR with K2.
    const off = (n - 1) * BLOCK;
    const tail = m.subarray(off);
    const sub = complete ? this.#k1 : this.#k2;
    for (let j = 0; j < BLOCK; j++) {
      const byte = j < tail.length ? tail[j]! : j === tail.length ? 0x80 : 0;
      x[j]! ^= byte ^ sub[j]!;
    }
    return this.#aes.encryptBlock(x);
  }
}

/** One-shot AES-CMAC(K, M) of RFC 4493: a 16-byte tag. Key of 16 (AES-128), 24 or 32 bytes. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  return new AesCmac(key).mac(message);
}
