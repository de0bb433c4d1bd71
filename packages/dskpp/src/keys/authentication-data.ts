// User authentication data AD (RFC 6063 section 3.4.1.2). The client never sends its authentication
// code, only a MAC keyed with a key derived from the code's password:
//   K_AC = PBKDF2(AC->password, R_C || K, iter_count, 16)
//   MAC  = DSKPP-PRF(K_AC, AC->ClientID || URL_S || R_C || [R_S], 16)
// R_S only in four-pass (two-pass has none). K (3.4.1.2 a/b): four-pass, the server's public key
// (K_SERVER) or the pre-shared K_SHARED; two-pass, the client's public key (key transport) or K_SHARED
// (key wrap). iter_count is at least 100,000, except 1 when two-pass K is K_SHARED.
// Not fixed by the RFC, settled here (docs/dskpp.md section 2): PBKDF2's PRF is HMAC-SHA-256 (as the
// one independent DSKPP server found does), a public key K enters as its RSA modulus, big-endian
// without leading zero (the same server's salt), and the iteration count travels in
// AuthenticationCodeMac/IterationCount (schema 8.2) so both ends use the same one.
import { createPublicKey, type KeyObject, pbkdf2Sync } from 'node:crypto';
import { constantTimeEqual } from '@m2msec/crypto';
import { concatBytes, utf8, zeroize } from '../lib/bytes.js';
import { DskppError } from '../lib/errors.js';
import type { MacAlgorithmUri } from '../lib/uris.js';
import { dskppPrf } from '../prf/dskpp-prf.js';

/** 3.4.1.2: "MUST be set to at least 100,000" (four-pass; two-pass with a public key K). */
export const AD_MIN_ITERATIONS = 100_000;
/** Upper bound a server accepts: a client-chosen count is work the server does before it knows the client is genuine. */
export const AD_MAX_ITERATIONS = 1_000_000;

export interface AuthenticationDataInput {
  /** AC->password: the password component of the authentication code. */
  password: Uint8Array;
  /** AC->ClientID, sent in the clear as AuthenticationData/ClientID. */
  clientId: string;
  serverUrl: string;
  clientNonce: Uint8Array;
  /** Four-pass only. */
  serverNonce?: Uint8Array;
  /** K of 3.4.1.2: K_SHARED, or a public key's modulus (`publicKeyBytes`). */
  k: Uint8Array;
  iterationCount: number;
}

/** The octets a public key K contributes to the K_AC salt: its RSA modulus. */
export function publicKeyBytes(key: KeyObject | string | Uint8Array): Uint8Array {
  const k =
    typeof key === 'string' || key instanceof Uint8Array
      ? createPublicKey(typeof key === 'string' ? key : { key: Buffer.from(key), format: 'der', type: 'spki' })
      : key.type === 'private'
        ? createPublicKey(key)
        : key;
  const jwk = k.export({ format: 'jwk' });
  if (k.asymmetricKeyType !== 'rsa' || typeof jwk.n !== 'string') throw new TypeError('K must be an RSA public key');
  return new Uint8Array(Buffer.from(jwk.n, 'base64url'));
}

export function authenticationDataMac(prf: MacAlgorithmUri, a: AuthenticationDataInput): Uint8Array {
  if (!Number.isInteger(a.iterationCount) || a.iterationCount < 1) throw new RangeError('iteration count must be >= 1');
  const kAc = new Uint8Array(pbkdf2Sync(a.password, concatBytes(a.clientNonce, a.k), a.iterationCount, 16, 'sha256'));
  try {
    const s = concatBytes(
      utf8(a.clientId),
      utf8(a.serverUrl),
      a.clientNonce,
      ...(a.serverNonce ? [a.serverNonce] : []),
    );
    return dskppPrf(prf, kAc, s, 16);
  } finally {
    zeroize(kAc);
  }
}

/** The iteration counts 3.4.1.2 allows for a K: 1 exactly for two-pass K_SHARED, else at least 100,000. */
export function adIterationRange(kIsTwoPassSharedKey: boolean): readonly [number, number] {
  return kIsTwoPassSharedKey ? [1, 1] : [AD_MIN_ITERATIONS, AD_MAX_ITERATIONS];
}

/**
 * Server side: the iteration count comes from the message; outside `range` (the RFC's floor for this
 * K, and AD_MAX_ITERATIONS) it is refused before any PBKDF2 work, so a client can neither weaken the
 * derivation nor make the server burn CPU.
 */
export function verifyAuthenticationDataMac(
  prf: MacAlgorithmUri,
  a: Omit<AuthenticationDataInput, 'iterationCount'> & { iterationCount: number | undefined },
  range: readonly [number, number],
  mac: Uint8Array,
): boolean {
  const n = a.iterationCount;
  const [min, max] = range;
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new DskppError(
      'AuthenticationDataInvalid',
      `AuthenticationCodeMac/IterationCount must be ${min === max ? min : `${min}..${max}`} (RFC 6063 3.4.1.2)`,
    );
  }
  return constantTimeEqual(authenticationDataMac(prf, { ...a, iterationCount: n }), mac);
}

/**
 * Authentication code in the TLV layout of RFC 6063 section 3.4.1.1: Type (one hex character), Length
 * (two hex characters: the number of characters of the value), Value (hex characters: a field that is
 * already hexadecimal as it is, any other the hex of its UTF-8 octets), Client ID TLV then Password TLV.
 * The AC the user is handed (SASLprep of non-ASCII input is the caller's).
 */
export function encodeAuthenticationCode(clientId: string, password: string): string {
  const tlv = (type: number, value: string) => {
    const hex = /^[0-9A-Fa-f]+$/.test(value) ? value : Buffer.from(value, 'utf8').toString('hex').toUpperCase();
    if (hex.length === 0 || hex.length > 255)
      throw new RangeError('authentication code fields must be 1..255 characters');
    return `${type}${hex.length.toString(16).toUpperCase().padStart(2, '0')}${hex}`;
  };
  return tlv(1, clientId) + tlv(2, password);
}
