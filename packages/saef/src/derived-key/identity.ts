// DerivedKey psk_identity: DK.<TA_id>.<C_id>.<seq>.<random> (DESIGN.md section 3; the identity the
// trust anchor hands a client, which the client sends as psk_identity to the resource server).
//   TA_id, C_id: 1-64 of [A-Za-z0-9_-] (no '.', the separator)
//   seq:         decimal sequence number, no leading zeros, 0 .. 2^64-1 (the TA's counter)
//   random:      16-64 lowercase hex digits (the TA draws 16 bytes) so identities never repeat
import { MAX_SEQUENCE_NUMBER } from '@m2msec/crypto';
import { SaefError, show } from '../lib/errors.js';

export const DERIVED_KEY_PREFIX = 'DK.';
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SEQ = /^(0|[1-9][0-9]{0,19})$/;
const RANDOM = /^[0-9a-f]{16,64}$/;

export interface DerivedKeyIdentity {
  taId: string;
  clientId: string;
  sequenceNumber: bigint;
  random: string;
  /** The identity string itself (the P_SHA256 seed). */
  identity: string;
}

export function isDerivedKeyIdentity(identity: string): boolean {
  return identity.startsWith(DERIVED_KEY_PREFIX);
}

function bad(identity: string, why: string): never {
  throw new SaefError('DK_IDENTITY_FORMAT', `DerivedKey identity ${show(identity)}: ${why}`);
}

export function parseDerivedKeyIdentity(identity: string): DerivedKeyIdentity {
  if (typeof identity !== 'string' || !identity.startsWith(DERIVED_KEY_PREFIX)) bad(identity, "must start with 'DK.'");
  if (identity.length > 256) bad(identity, 'longer than 256 characters');
  const parts = identity.split('.');
  if (parts.length !== 5) bad(identity, 'must have the form DK.<TA_id>.<C_id>.<seq>.<random>');
  const [, taId, clientId, seq, random] = parts as [string, string, string, string, string];
  if (!NAME.test(taId)) bad(identity, 'TA_id must be 1-64 of [A-Za-z0-9_-]');
  if (!NAME.test(clientId)) bad(identity, 'C_id must be 1-64 of [A-Za-z0-9_-]');
  if (!SEQ.test(seq)) bad(identity, 'seq must be a decimal number without leading zeros');
  const sequenceNumber = BigInt(seq);
  if (sequenceNumber > MAX_SEQUENCE_NUMBER) bad(identity, 'seq exceeds 2^64-1');
  if (!RANDOM.test(random)) bad(identity, 'random must be 16-64 lowercase hex digits');
  return { taId, clientId, sequenceNumber, random, identity };
}

export function formatDerivedKeyIdentity(p: Omit<DerivedKeyIdentity, 'identity'>): string {
  const identity = `${DERIVED_KEY_PREFIX}${p.taId}.${p.clientId}.${p.sequenceNumber}.${p.random}`;
  return parseDerivedKeyIdentity(identity).identity;
}

/** The Credential-ID (TS-0003 10.4, type 12 SAEF key) of a DerivedKey client: 12-DK.<TA_id>.<C_id>. */
export function derivedKeyCredentialId(p: { taId: string; clientId: string }): string {
  return `12-${DERIVED_KEY_PREFIX}${p.taId}.${p.clientId}`;
}
