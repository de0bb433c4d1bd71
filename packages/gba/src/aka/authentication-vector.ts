// The HE side of UMTS AKA (3GPP TS 33.102 clause 6.3.2): an authentication vector for one challenge.
import type { Milenage } from '@m2msec/crypto';
import { xor } from '../lib/bytes.js';
import { sqnToBytes } from '../lib/sqn.js';

export interface AuthenticationVector {
  readonly rand: Buffer;
  /** AUTN = SQN xor AK || AMF || MAC-A (16 bytes). */
  readonly autn: Buffer;
  readonly xres: Buffer;
  readonly ck: Buffer;
  readonly ik: Buffer;
}

export function generateAuthenticationVector(
  milenage: Milenage,
  rand: Uint8Array,
  sqn: number,
  amf: Uint8Array,
): AuthenticationVector {
  const sqnBytes = sqnToBytes(sqn);
  const { macA } = milenage.f1(rand, sqnBytes, amf);
  const { res, ck, ik, ak } = milenage.f2345(rand);
  const autn = Buffer.concat([xor(sqnBytes, ak), amf, macA]);
  return { rand: Buffer.from(rand), autn, xres: res, ck, ik };
}

/** The AKA nonce of RFC 3310 3.1 / TS 24.109 5.3.2: base64(RAND || AUTN); this BSF adds no server data. */
export function akaNonce(rand: Uint8Array, autn: Uint8Array): string {
  return Buffer.concat([rand, autn]).toString('base64');
}
