import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new unstructured resource ID: type prefix + 12 random base-36 characters (about 62 bits). */
export function newResourceId(prefix: string): string {
  const bytes = randomBytes(12);
  let s = prefix;
  for (const b of bytes) s += ALPHABET[b % 36];
  return s;
}
