// The MAF ESPrim Framework (TS-0003 8.4.2 A, C.6a; MAF-distributed key SUID 33 of Table 8.8.1-1).
// The Originator runs a MAF Handshake and MAF Key Registration (8.8.2.7) with SUID 33 and the Receiver
// as its one target; Kc and KcID are that session's exporter output (10.3.1, 10.3.5), and KcID,
// carried as hexBinary(KcID)@MAF-FQDN, is the pairwiseESPrimKeyID. The Receiver identifies the MAF from
// that identifier (C.6a.1), retrieves Kc and its lifetime (C.6a.2-3, 8.8.2.8 on its own MAF Handshake)
// and both ends derive pairwiseESPrimKey from Kc and a reserved string (C.6a.4; the string is
// m2msec's choice: @m2msec/crypto's deriveMafPairwiseESPrimKey, docs/end-to-end-security.md).
import { deriveMafPairwiseESPrimKey, Suid } from '@m2msec/crypto';
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import { MafError } from '../lib/errors.js';
import type { MafClient, TimeInput } from './maf-client.js';

export interface MafESPrimKey {
  /** pairwiseESPrimKeyID: the Key Identifier hexBinary(KcID)@MAF-FQDN (the JWE `kid`). */
  readonly kid: string;
  readonly key: Buffer;
  readonly expiresAt: number;
}

/** Originator: registers this session's Kc for the Receiver (`targetID`, an Absolute CSE-ID / AE-ID). */
export async function registerESPrimKey(
  client: MafClient,
  p: { adminFQDN: string; targetID: string; expirationTime: TimeInput; labels?: string[] },
): Promise<MafESPrimKey> {
  const a = await client.registerKey({
    adminFQDN: p.adminFQDN,
    suid: Suid.MafEsprim,
    targetIDs: [p.targetID],
    expirationTime: p.expirationTime,
    ...(p.labels ? { labels: p.labels } : {}),
  });
  const ck = a.connectionKey;
  if (!ck) throw new MafError('PROTOCOL', 'MAF Key Registration without keyValue gave no connection key');
  try {
    return { kid: a.keyIdentifier, key: deriveMafPairwiseESPrimKey(ck.kc), expiresAt: Date.parse(a.expirationTime) };
  } finally {
    ck.kc.fill(0);
  }
}

/** A fetched key in the shape @m2msec/esprim's FetchingESPrimKeys takes. */
export interface FetchedMafESPrimKey {
  key: Uint8Array;
  /** The Originator's AE-ID / CSE-ID (SP-relative for this SP) as the MAF names its source client. */
  identity: string;
  expiresAt: number;
}

/**
 * Receiver: which `kid`s are MAF ESPrim key identifiers of this client's MAF, and their retrieval. A kid
 * of another MAF is never contacted (`accepts` is false); a key whose SUID is not 33 (an SAEF Kc, an
 * ESData key) is refused, so a key registered for one framework never opens another's primitives.
 */
export function mafESPrimKeyFetcher(
  client: MafClient,
  idContext: IdContext,
): { accepts(kid: string): boolean; fetch(kid: string): Promise<FetchedMafESPrimKey> } {
  const fqdn = client.mafFqdn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^[0-9A-Fa-f]{32}@${fqdn}$`, 'i');
  return {
    accepts: (kid) => pattern.test(kid),
    async fetch(kid) {
      const k = await client.retrieveKey(kid);
      try {
        if (k.suid !== Suid.MafEsprim) {
          throw new MafError('FORBIDDEN', `key ${kid} is registered with SUID ${k.suid}, not 33 (MAF ESPrim)`);
        }
        if (k.keyValue.length !== 32) throw new MafError('PROTOCOL', 'a MAF ESPrim Kc must be 32 bytes');
        const expiresAt = Date.parse(k.expirationTime);
        if (!Number.isFinite(expiresAt)) throw new MafError('PROTOCOL', 'the MAF answered no usable expirationTime');
        return {
          key: deriveMafPairwiseESPrimKey(k.keyValue),
          identity: spRelative(k.sourceMafClientID, idContext),
          expiresAt,
        };
      } finally {
        k.keyValue.fill(0);
      }
    },
  };
}

function spRelative(id: string, ctx: IdContext): string {
  const o = parseOriginator(id);
  if (o.kind === 'other') throw new MafError('PROTOCOL', `the MAF names source client '${id}', not an AE-ID or CSE-ID`);
  return toSpRelativeOriginator(o, ctx);
}
