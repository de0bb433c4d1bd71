import { AesBlockCipher } from '../lib/aes-block.js';
import { checkLength } from '../lib/bytes.js';

/** Rotation (bits, multiples of 8) and the last byte of constant c1..c5 (TS 35.206 clause 4.1 defaults). */
type OutIndex = 1 | 2 | 3 | 4 | 5;
const R: Readonly<Record<OutIndex, number>> = { 1: 64, 2: 0, 3: 32, 4: 64, 5: 96 };
const C_LAST: Readonly<Record<OutIndex, number>> = { 1: 0x00, 2: 0x01, 3: 0x02, 4: 0x04, 5: 0x08 };

export interface F1Output {
  /** MAC-A = f1 (network authentication code), 8 bytes. */
  readonly macA: Buffer;
  /** MAC-S = f1* (resynchronisation authentication code), 8 bytes. */
  readonly macS: Buffer;
}

export interface F2345Output {
  /** RES = f2, 8 bytes. */
  readonly res: Buffer;
  /** CK = f3, 16 bytes. */
  readonly ck: Buffer;
  /** IK = f4, 16 bytes. */
  readonly ik: Buffer;
  /** AK = f5, 6 bytes. */
  readonly ak: Buffer;
}

/**
 * The MILENAGE algorithm set (3GPP TS 35.206) bound to a subscriber key K and the operator variant
 * OPc (see computeOPc), with the default rotation and constant values r1..r5, c1..c5.
 */
export class Milenage {
  readonly #aes: AesBlockCipher;
  readonly #opc: Buffer;

  constructor(k: Uint8Array, opc: Uint8Array) {
    this.#aes = new AesBlockCipher(checkLength(k, 'K', 16, 'ERR_KEY_LENGTH'), [16]);
    this.#opc = Buffer.from(checkLength(opc, 'OPc', 16));
  }

  /** TEMP = E_K(RAND xor OPc). */
  #temp(rand: Uint8Array): Buffer {
    const r = checkLength(rand, 'RAND', 16);
    const x = Buffer.allocUnsafe(16);
    for (let i = 0; i < 16; i++) x[i] = r[i]! ^ this.#opc[i]!;
    return this.#aes.encryptBlock(x);
  }

  /** OUTi = E_K(rot(IN xor OPc, ri) xor ci) xor OPc, with IN = TEMP for i = 2..5. */
  #out(i: OutIndex, input: Buffer, temp?: Buffer): Buffer {
    const shift = R[i] / 8;
    const x = Buffer.allocUnsafe(16);
    for (let j = 0; j < 16; j++) {
      const src = (j + shift) % 16; // cyclic left rotation by r bits
      x[j] = input[src]! ^ this.#opc[src]!;
    }
    x[15]! ^= C_LAST[i];
    if (temp) for (let j = 0; j < 16; j++) x[j]! ^= temp[j]!;
    const out = this.#aes.encryptBlock(x);
    for (let j = 0; j < 16; j++) out[j]! ^= this.#opc[j]!;
    return out;
  }

  /** f1 and f1*: MAC-A and MAC-S from RAND, SQN (6 bytes) and AMF (2 bytes). */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Output {
    const s = checkLength(sqn, 'SQN', 6);
    const a = checkLength(amf, 'AMF', 2);
    const temp = this.#temp(rand);
    const in1 = Buffer.concat([s, a, s, a]);
    const out1 = this.#out(1, in1, temp);
    return { macA: out1.subarray(0, 8), macS: out1.subarray(8, 16) };
  }

  /** f2, f3, f4 and f5 together: RES, CK, IK and AK from RAND. */
  f2345(rand: Uint8Array): F2345Output {
    const temp = this.#temp(rand);
    const out2 = this.#out(2, temp);
    return { res: out2.subarray(8, 16), ck: this.#out(3, temp), ik: this.#out(4, temp), ak: out2.subarray(0, 6) };
  }

  /** f2 alone: RES (8 bytes). */
  f2(rand: Uint8Array): Buffer {
    return this.#out(2, this.#temp(rand)).subarray(8, 16);
  }

  /** f3 alone: the cipher key CK (16 bytes). */
  f3(rand: Uint8Array): Buffer {
    return this.#out(3, this.#temp(rand));
  }

  /** f4 alone: the integrity key IK (16 bytes). */
  f4(rand: Uint8Array): Buffer {
    return this.#out(4, this.#temp(rand));
  }

  /** f5 alone: the anonymity key AK (6 bytes). */
  f5(rand: Uint8Array): Buffer {
    return this.#out(2, this.#temp(rand)).subarray(0, 6);
  }

  /** f5*: the resynchronisation anonymity key AK (6 bytes) from RAND. */
  f5Star(rand: Uint8Array): Buffer {
    return this.#out(5, this.#temp(rand)).subarray(0, 6);
  }
}
