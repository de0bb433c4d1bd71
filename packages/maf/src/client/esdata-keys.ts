// MAF-based ESData (TS-0003 8.8, Table 8.8.1-1) with Source-generated credentials (8.6.3, 8.5.2.2.3
// "Encryption using TEF", 8.5.2.3 "MIC using TEF"): the Source End-Point draws a random key, registers it at
// the MAF (acting as the Trust Enabling Function, 8.6.1.1) with the Key Value it generated (8.8.2.7 2.b),
// SUID 34 (encryption) or 35 (signature-only) and the Target End-Points allowed; a Target retrieves it
// (8.8.2.8) by the Key Identifier that the ESData `kid` carries (10.3.5: RelativeKeyID@MAF-FQDN).
// 8.8.1: a protocol that needs one symmetric key uses the first half of the distributed key, so the
// Source registers 64 bytes and both ends use the first 32 (A256GCM `dir`, A256KW, HS256).
import { randomBytes } from 'node:crypto';
import { MafError } from '../lib/errors.js';
import type { MafClient, TimeInput } from './maf-client.js';

/** m2m:suid of a MAF-distributed ESData key: 34 encryption (or nested), 35 signature-only. */
export type MafESDataSuid = 34 | 35;

const KEY_VALUE_BYTES = 64;
const MAX_CACHED = 1024;

export interface MafESDataKey {
  /** The Key Identifier (RelativeKeyID@MAF-FQDN), the JOSE `kid`. */
  readonly kid: string;
  /** The first half of the registered Key Value (8.8.1). */
  readonly key: Buffer;
  readonly expiresAt: number;
}

/** Source End-Point: generates and registers an ESData key for `targetIDs` (Absolute AE-/CSE-IDs). */
export async function registerESDataKey(
  client: MafClient,
  p: { adminFQDN: string; suid: MafESDataSuid; targetIDs: string[]; expirationTime: TimeInput; labels?: string[] },
): Promise<MafESDataKey> {
  if (p.suid !== 34 && p.suid !== 35) throw new MafError('BAD_REQUEST', 'an ESData key has SUID 34 or 35');
  const value = randomBytes(KEY_VALUE_BYTES);
  try {
    const a = await client.registerKey({ ...p, keyValue: value });
    return {
      kid: a.keyIdentifier,
      key: Buffer.from(value.subarray(0, KEY_VALUE_BYTES / 2)),
      expiresAt: Date.parse(a.expirationTime),
    };
  } finally {
    value.fill(0);
  }
}

/** The SUID a JOSE algorithm needs: JWS (HS*) signature-only 35, JWE key management 34. */
function suidForAlg(alg: string): MafESDataSuid {
  return /^HS(256|384|512)$/.test(alg) ? 35 : 34;
}

/**
 * Target End-Point: an ESData key resolver (shape of @m2msec/esdata's EsdataKeyResolver) that answers a
 * `kid` of this client's MAF by MAF Key Retrieval, on the Target's own MAF Handshake. It answers nothing
 * (so the ESData is refused as an unknown kid) for a `kid` of another MAF (never contacted), a key the MAF
 * will not give this Target (not in targetIDs, unknown, expired), or a key whose SUID is not the usage the
 * algorithm asks for (an SAEF Kc, or a signature-only key used to decrypt, and the reverse).
 */
export function mafESDataKeyResolver(
  client: MafClient,
  o: { now?: () => number } = {},
): (kid: string, alg: string) => Promise<Buffer | undefined> {
  const now = o.now ?? Date.now;
  const cache = new Map<string, { key: Buffer; suid: number; expiresAt: number }>();
  const pending = new Map<string, Promise<{ key: Buffer; suid: number; expiresAt: number } | undefined>>();
  const pattern = new RegExp(`^[0-9A-Fa-f]{32}@${client.mafFqdn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i');

  const retrieve = async (kid: string) => {
    try {
      const k = await client.retrieveKey(kid);
      const expiresAt = Date.parse(k.expirationTime);
      if ((k.suid !== 34 && k.suid !== 35) || !Number.isFinite(expiresAt) || k.keyValue.length < 32) {
        k.keyValue.fill(0);
        return undefined;
      }
      const entry = { key: Buffer.from(k.keyValue.subarray(0, k.keyValue.length / 2)), suid: k.suid, expiresAt };
      k.keyValue.fill(0);
      if (cache.size >= MAX_CACHED) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.get(oldest)?.key.fill(0);
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(kid, entry);
      return entry;
    } catch (e) {
      // The MAF holds no key for this Target under this identifier: an answer, not a failure.
      if (e instanceof MafError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN' || e.code === 'BAD_REQUEST'))
        return undefined;
      throw e;
    }
  };

  return async (kid, alg) => {
    if (!pattern.test(kid)) return undefined;
    const id = kid.toLowerCase();
    let entry = cache.get(id);
    if (entry && entry.expiresAt <= now()) {
      entry.key.fill(0);
      cache.delete(id);
      entry = undefined;
    }
    if (!entry) {
      let p = pending.get(id);
      if (!p) {
        p = retrieve(id).finally(() => pending.delete(id));
        pending.set(id, p);
      }
      entry = await p;
    }
    if (!entry || entry.expiresAt <= now() || entry.suid !== suidForAlg(alg)) return undefined;
    return Buffer.from(entry.key);
  };
}
