// Resynchronisation token of 3GPP TS 33.102 clause 6.3.3 / 6.3.5:
//   AUTS = SQN_MS xor AK* || MAC-S, AK* = f5*(RAND), MAC-S = f1*(SQN_MS, RAND, AMF*) with the dummy AMF* = 0x0000.
import { constantTimeEqual, type Milenage } from '@m2msec/crypto';
import { xor } from '../lib/bytes.js';
import { sqnFromBytes, sqnToBytes } from '../lib/sqn.js';

export const AUTS_LENGTH = 14;
const DUMMY_AMF = Buffer.alloc(2);

/** The USIM side: build AUTS announcing SQN_MS. */
export function buildAuts(milenage: Milenage, rand: Uint8Array, sqnMs: number): Buffer {
  const sqn = sqnToBytes(sqnMs);
  return Buffer.concat([xor(sqn, milenage.f5Star(rand)), milenage.f1(rand, sqn, DUMMY_AMF).macS]);
}

/** The HE side: SQN_MS if MAC-S verifies (constant time), undefined otherwise. */
export function verifyAuts(milenage: Milenage, rand: Uint8Array, auts: Uint8Array): number | undefined {
  if (auts.length !== AUTS_LENGTH) return undefined;
  const sqn = xor(auts.subarray(0, 6), milenage.f5Star(rand));
  const { macS } = milenage.f1(rand, sqn, DUMMY_AMF);
  return constantTimeEqual(macS, auts.subarray(6, 14)) ? sqnFromBytes(sqn) : undefined;
}
