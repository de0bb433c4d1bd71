// Revocations a trust anchor sends to a resource server: the sequence numbers it withdraws,
// authenticated with HMAC-SHA-256 under K_RS-TA (the one key TA and RS share). The MAC input is
// "m2msec-DK-revocation" 0x00 TA_id 0x00 issuedAt 0x00 seq,seq,... (decimal), so no other use of
// K_RS-TA (P_SHA256 over "DK." identities, MacCerts) can produce it. Replaying a revocation is harmless.
import { createHmac } from 'node:crypto';
import { constantTimeEqual, MAX_SEQUENCE_NUMBER } from '@m2msec/crypto';
import { SaefError } from '../lib/errors.js';

export interface DerivedKeyRevocation {
  v: 1;
  taId: string;
  /** Sequence numbers, decimal strings. */
  sequenceNumbers: string[];
  /** ms since epoch, when the TA issued it. */
  issuedAt: number;
  /** base64url HMAC-SHA-256. */
  mac: string;
}

const LABEL = 'm2msec-DK-revocation';

function macInput(taId: string, issuedAt: number, seqs: readonly string[]): Buffer {
  return Buffer.from([LABEL, taId, String(issuedAt), seqs.join(',')].join('\0'), 'utf8');
}

export function signRevocation(
  kRsTa: Uint8Array,
  taId: string,
  sequenceNumbers: readonly bigint[],
  issuedAt: number,
): DerivedKeyRevocation {
  const seqs = sequenceNumbers.map((s) => s.toString());
  const mac = createHmac('sha256', kRsTa)
    .update(macInput(taId, issuedAt, seqs))
    .digest('base64url');
  return { v: 1, taId, sequenceNumbers: seqs, issuedAt, mac };
}

function bad(why: string): never {
  throw new SaefError('REVOCATION_INVALID', `DerivedKey revocation refused: ${why}`);
}

/** Shape check of untrusted input; the MAC is checked by verifyRevocation. */
export function parseRevocation(input: unknown): DerivedKeyRevocation {
  const r = input as Partial<DerivedKeyRevocation>;
  if (typeof r !== 'object' || r === null) bad('not an object');
  if (r.v !== 1) bad('v must be 1');
  if (typeof r.taId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(r.taId)) bad('taId malformed');
  if (!Array.isArray(r.sequenceNumbers) || r.sequenceNumbers.length === 0 || r.sequenceNumbers.length > 1024) {
    bad('sequenceNumbers must be a list of 1 to 1024 numbers');
  }
  for (const s of r.sequenceNumbers) {
    if (typeof s !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(s) || BigInt(s) > MAX_SEQUENCE_NUMBER) {
      bad('a sequence number is not a decimal in 0..2^64-1');
    }
  }
  if (typeof r.issuedAt !== 'number' || !Number.isSafeInteger(r.issuedAt) || r.issuedAt < 0) bad('issuedAt malformed');
  if (typeof r.mac !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(r.mac)) bad('mac must be 43 base64url characters');
  return r as DerivedKeyRevocation;
}

export function verifyRevocation(kRsTa: Uint8Array, r: DerivedKeyRevocation): bigint[] {
  const expected = createHmac('sha256', kRsTa)
    .update(macInput(r.taId, r.issuedAt, r.sequenceNumbers))
    .digest();
  if (!constantTimeEqual(expected, Buffer.from(r.mac, 'base64url'))) bad('MAC does not verify');
  return r.sequenceNumbers.map((s) => BigInt(s));
}
