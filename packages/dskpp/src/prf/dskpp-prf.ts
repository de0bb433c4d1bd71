// DSKPP-PRF (RFC 6063 section 3.4.2) and its two realizations of Appendix D:
//   DSKPP-PRF-AES    (D.2): F(k, s, i) = CMAC-AES(k, INT(i) || s), 16-octet blocks
//   DSKPP-PRF-SHA256 (D.3): F(k, s, i) = HMAC-SHA256(k, INT(i) || s), 32-octet blocks
// DS = F(k, s, 1) || ... || F(k, s, n), truncated to dsLen octets (D.2.2 / D.3.2 steps 3-4).
// k MUST be at least 16 octets (3.4.2). prf-aes-128 is CMAC with AES-128, whose key is 16 octets: a
// longer k (a 32-octet K_MAC, a longer R_C) is truncated to its first 16 octets, the rule 5.2.2 gives
// for a K_MAC longer than the MAC algorithm needs ("the truncation MUST take the beginning bytes").
import { createHmac } from 'node:crypto';
import { aesCmac } from '@m2msec/crypto';
import { concatBytes, int32be } from '../lib/bytes.js';
import { MAC_DSKPP_PRF_AES_128, MAC_DSKPP_PRF_SHA256, type MacAlgorithmUri } from '../lib/uris.js';

type BlockFunction = (k: Uint8Array, message: Uint8Array) => Uint8Array;

const REALIZATIONS: Record<MacAlgorithmUri, { blockLength: number; f: BlockFunction }> = {
  [MAC_DSKPP_PRF_AES_128]: { blockLength: 16, f: (k, m) => aesCmac(k.subarray(0, 16), m) },
  [MAC_DSKPP_PRF_SHA256]: {
    blockLength: 32,
    f: (k, m) => createHmac('sha256', k).update(m).digest(),
  },
};

const MIN_KEY_LENGTH = 16;

/** Upper bound of dsLen used here (the RFC allows (2^32 - 1) * bLen; nothing in DSKPP needs more). */
const MAX_DS_LEN = 1024;

export function isMacAlgorithm(uri: string): uri is MacAlgorithmUri {
  return Object.hasOwn(REALIZATIONS, uri);
}

/** DSKPP-PRF(k, s, dsLen) with the realization named by `algorithm` (a MAC algorithm URI). */
export function dskppPrf(algorithm: MacAlgorithmUri, k: Uint8Array, s: Uint8Array, dsLen: number): Uint8Array {
  const realization = REALIZATIONS[algorithm];
  if (!realization) throw new TypeError(`unsupported DSKPP-PRF realization ${algorithm}`);
  if (!(k instanceof Uint8Array) || k.length < MIN_KEY_LENGTH) {
    throw new TypeError(`DSKPP-PRF key k must be at least ${MIN_KEY_LENGTH} octets (RFC 6063 3.4.2)`);
  }
  if (!(s instanceof Uint8Array)) throw new TypeError('DSKPP-PRF input s must be bytes');
  if (!Number.isInteger(dsLen) || dsLen < 1 || dsLen > MAX_DS_LEN) {
    throw new RangeError(`DSKPP-PRF dsLen must be an integer in 1..${MAX_DS_LEN}`);
  }
  const n = Math.ceil(dsLen / realization.blockLength);
  const blocks: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) blocks.push(realization.f(k, concatBytes(int32be(i), s)));
  const all = concatBytes(...blocks);
  // A plain copy (never a Buffer view: Buffer#slice shares memory, which zeroisation would hit).
  const ds = Uint8Array.prototype.slice.call(all, 0, dsLen);
  all.fill(0);
  return ds;
}
