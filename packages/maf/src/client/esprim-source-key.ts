// A Source-generated ESPrim credential registered at the MAF acting as the Trust Enabling Function
// (TS-0003 8.6.3 "Credentials generated in a random manner by the Source ESF End-Point and registered with
// the Trust Enabling Function", 8.6.1.1; MAF Key Registration 8.8.2.7 2.b: the MAF Client provides the Key
// Value). The Originator draws Kc itself and registers it with SUID 33 (MAF ESPrim Framework, 8.4.2 A) for
// its one Receiver; the MAF binds the registration to the client its MAF Handshake authenticated (never to
// an identity the request names). The Receiver retrieves Kc (8.8.2.8) and derives pairwiseESPrimKey as for a
// session-exporter Kc (C.6a.4, m2msec's reserved string), so mafESPrimKeyFetcher serves both alike.
import { randomBytes } from 'node:crypto';
import { deriveMafPairwiseESPrimKey, Suid } from '@m2msec/crypto';
import type { MafESPrimKey } from './esprim-keys.js';
import type { MafClient, TimeInput } from './maf-client.js';

/** Kc is 32 bytes, as the exporter's (10.3.5): the Receiver refuses any other length for SUID 33. */
const KC_BYTES = 32;

/** Originator: generates Kc, registers it for the Receiver (`targetID`, an Absolute CSE-ID / AE-ID). */
export async function registerSourceGeneratedESPrimKey(
  client: MafClient,
  p: { adminFQDN: string; targetID: string; expirationTime: TimeInput; labels?: string[] },
): Promise<MafESPrimKey> {
  const kc = randomBytes(KC_BYTES);
  try {
    const a = await client.registerKey({
      adminFQDN: p.adminFQDN,
      suid: Suid.MafEsprim,
      // One Receiver only (the MAF refuses more for SUID 33): a key two Receivers held would let either
      // act as this Originator towards the other.
      targetIDs: [p.targetID],
      expirationTime: p.expirationTime,
      keyValue: kc,
      ...(p.labels ? { labels: p.labels } : {}),
    });
    return { kid: a.keyIdentifier, key: deriveMafPairwiseESPrimKey(kc), expiresAt: Date.parse(a.expirationTime) };
  } finally {
    kc.fill(0);
  }
}
