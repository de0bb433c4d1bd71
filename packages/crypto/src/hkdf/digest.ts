import { CryptoInputError } from '../lib/error.js';

/** Hash functions offered for HKDF and HMAC-Hash; output sizes in bytes. */
export const HKDF_DIGEST_SIZES = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 } as const;
export type HkdfDigest = keyof typeof HKDF_DIGEST_SIZES;

export function digestSize(digest: unknown): number {
  if (typeof digest !== 'string' || !Object.hasOwn(HKDF_DIGEST_SIZES, digest)) {
    throw new CryptoInputError(
      'ERR_UNKNOWN_ENUM_VALUE',
      `digest must be one of ${Object.keys(HKDF_DIGEST_SIZES).join(', ')}, got ${String(digest)}`,
    );
  }
  return HKDF_DIGEST_SIZES[digest as HkdfDigest];
}
