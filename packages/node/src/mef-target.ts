// The IN-CSE as an Enrolment Target of a MEF (TS-0003 8.3.2.1 "Use of Remotely Provisioned
// Credential"; docs/mef.md): an enrolee presents its KeID as psk_identity; the IN-CSE fetches the
// key with RETRIEVE /fetchCredentials/<KeID>/<SUID> from the MEF, authenticated by its own PSK at
// the MEF, and binds the credential 12-<KeID> to the Enrolee-ID the MEF names before the key is
// served. Fetches run on the MEF's notification, the enrolee's announcement, or a handshake miss
// (the PSK callback is synchronous: never a fetch inside it).
import { readFileSync } from 'node:fs';
import { parseOriginator } from '@m2msec/protocol';
import { EnrolmentTargetKeys, fetchCredentials } from '@m2msec/rspf';
import type { PersistentCredentialBindings } from '@m2msec/security-association';
import type { Logger } from 'pino';
import type { InCseConfig } from './config.js';

/** How this CSE authenticates to the MEF of security.mef (its PSK at the MEF) to fetch keys. */
export function mefSource(mef: NonNullable<InCseConfig['security']['mef']>) {
  const key = Buffer.from(readFileSync(mef.keyFile, 'utf8').trim(), 'hex');
  if (key.length < 16) throw new Error(`security.mef.keyFile must hold at least 16 bytes of hex`);
  return {
    mefUrl: mef.url,
    mefFqdn: mef.fqdn,
    credential: { kind: 'psk' as const, kpmId: mef.pskIdentity, kpm: key },
    targetId: mef.targetId,
  };
}

export function mefEnrolmentTargetKeys(
  mef: NonNullable<InCseConfig['security']['mef']>,
  bindings: PersistentCredentialBindings,
  log: Logger,
  isReserved: (id: string) => boolean,
): EnrolmentTargetKeys {
  const source = mefSource(mef);
  return new EnrolmentTargetKeys({
    mefFqdns: [mef.fqdn],
    fetch: (keId) => fetchCredentials(source, keId, mef.suid),
    onFetched: async (keId, c) => {
      // An administrator's originator or a CSE-ID of this CSE is never an enrolee's (docs/administration.md).
      if (isReserved(c.enroleeId)) throw new Error(`the Enrolee-ID ${c.enroleeId} of ${keId} is reserved by this CSE`);
      const cse = parseOriginator(c.enroleeId).kind === 'cse';
      await bindings.set(
        `12-${keId}`,
        cse ? { kind: 'cse', cseId: c.enroleeId } : { kind: 'ae', aeIds: [c.enroleeId] },
      );
      log.info({ keId, enroleeId: c.enroleeId }, 'enrolment key fetched from the MEF');
    },
    onError: (m) => log.warn({}, m),
  });
}
