// Entity B's MAF Key Retrieval for @m2msec/saef's MafKeyCache (TS-0003 8.2.2.3 steps 5-6): B's own MAF
// Handshake with its Km, GET the RelativeKeyID of the psk_identity. Only a key registered for the
// MAF-based SAEF (SUID 32) is used as Kc: the SUID limits Kc to that framework (8.2.2.3).
import type { MafKeyRecord, MafKeySource } from '@m2msec/saef';
import { MafError } from '../lib/errors.js';
import type { MafClient } from './maf-client.js';

export function mafKeySource(client: MafClient, o: { suid?: number } = {}): MafKeySource {
  const suid = o.suid ?? 32;
  return {
    async retrieve(keyIdentifier: string): Promise<MafKeyRecord | undefined> {
      try {
        const k = await client.retrieveKey(keyIdentifier);
        const expiresAt = Date.parse(k.expirationTime);
        if (k.suid !== suid || !Number.isFinite(expiresAt)) {
          k.keyValue.fill(0);
          return undefined;
        }
        return { kc: k.keyValue, expiresAt, suid: k.suid, entityId: k.sourceMafClientID };
      } catch (e) {
        // The MAF holds no key for us under this identifier: an answer, not a failure.
        if (e instanceof MafError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')) return undefined;
        throw e;
      }
    },
  };
}
