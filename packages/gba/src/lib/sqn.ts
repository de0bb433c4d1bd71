// SQN handling of 3GPP TS 33.102 Annex C.1.1/C.3: SQN (48 bits) = SEQ || IND, IND the low `indBits` bits.
// 48-bit values fit a JS number exactly (< 2^53), so numbers are used throughout.

export const SQN_MAX = 2 ** 48 - 1;

export function sqnToBytes(sqn: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(sqn, 0, 6);
  return b;
}

export function sqnFromBytes(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, 6).readUIntBE(0, 6);
}

export function composeSqn(seq: number, ind: number, indBits: number): number {
  return seq * 2 ** indBits + ind;
}

export function splitSqn(sqn: number, indBits: number): { seq: number; ind: number } {
  const m = 2 ** indBits;
  return { seq: Math.floor(sqn / m), ind: sqn % m };
}
