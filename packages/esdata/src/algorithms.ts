// The JOSE algorithms ESData allows (TS-0003 8.5.3.2, Tables 8.5.3.2-3 / -4; 8.5.3.3, Table 8.5.3.3-2).
// Anything else ("none", RSA1_5, PS*, A*CBC-HS*, ECDH-ES without key wrap, ...) is refused: the spec lists
// what an end-point may use, and an allowlist stops algorithm-substitution attacks.

/** JWS "alg" (Table 8.5.3.3-2). ES512 is ECDSA on P-521: the spec's "P-512" names no curve. */
export const ESDATA_JWS_ALGS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type EsdataJwsAlg = (typeof ESDATA_JWS_ALGS)[number];

/** JWE "alg" (Table 8.5.3.2-3). */
export const ESDATA_JWE_ALGS = [
  'dir',
  'A128KW',
  'A192KW',
  'A256KW',
  'RSA-OAEP-256',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
] as const;
export type EsdataJweAlg = (typeof ESDATA_JWE_ALGS)[number];

/** JWE "enc" (Table 8.5.3.2-4). */
export const ESDATA_JWE_ENCS = ['A128GCM', 'A192GCM', 'A256GCM'] as const;
export type EsdataJweEnc = (typeof ESDATA_JWE_ENCS)[number];

/** Signature algorithms allowed for the inner JWS of Nested-Sign-then-Encrypt: RSA or ECDSA only (8.5.3.4). */
export const ESDATA_NESTED_JWS_ALGS: readonly EsdataJwsAlg[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

export const isJwsAlg = (a: unknown): a is EsdataJwsAlg => ESDATA_JWS_ALGS.includes(a as EsdataJwsAlg);
export const isJweAlg = (a: unknown): a is EsdataJweAlg => ESDATA_JWE_ALGS.includes(a as EsdataJweAlg);
export const isJweEnc = (a: unknown): a is EsdataJweEnc => ESDATA_JWE_ENCS.includes(a as EsdataJweEnc);

/** Symmetric key lengths in bytes the algorithms require (RFC 7518 3.2: HMAC keys at least the hash size). */
export function symmetricKeyLength(
  alg: EsdataJwsAlg | EsdataJweAlg,
  enc?: EsdataJweEnc,
): { min: number; max?: number } | undefined {
  switch (alg) {
    case 'HS256':
      return { min: 32 };
    case 'HS384':
      return { min: 48 };
    case 'HS512':
      return { min: 64 };
    case 'A128KW':
      return { min: 16, max: 16 };
    case 'A192KW':
      return { min: 24, max: 24 };
    case 'A256KW':
      return { min: 32, max: 32 };
    case 'dir': {
      const n = enc === 'A128GCM' ? 16 : enc === 'A192GCM' ? 24 : 32;
      return { min: n, max: n };
    }
    default:
      return undefined;
  }
}
