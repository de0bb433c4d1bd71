// Fresh AE-ID-Stems (TS-0001 Table 7.2-1): the type letter and 128 random bits in lowercase base32
// (RFC 4648 alphabet), 26 characters that are all ABNF 'unreserved' (TS-0004 6.2.3). Random, not a
// counter, so a stem reveals nothing about other registrations and cannot be guessed.
import { getRandomValues } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const STEM_RANDOM_BYTES = 16;

/** Fills its argument with cryptographically secure random bytes. */
export type RandomSource = (bytes: Uint8Array) => void;

const defaultRandom: RandomSource = (bytes) => {
  getRandomValues(bytes);
};

export function generateAeIdStem(type: 'C' | 'S', random: RandomSource = defaultRandom): string {
  const bytes = new Uint8Array(STEM_RANDOM_BYTES);
  random(bytes);
  let out = type;
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
