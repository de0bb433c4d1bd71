// The IN-CSE as Entity B of the MAF-based SAEF (TS-0003 8.2.2.3; docs/maf.md): a Target MAF Client
// with its own Km (kind Km in the credential store, never a SAEF PSK), registered at the MAF with a
// notificationURI so the MAF announces each key registered for this CSE; B then runs MAF Key Retrieval
// and holds Kc in memory before Entity A's first handshake (Node's pskCallback is synchronous). A
// handshake miss also starts a retrieval (A's retry finds the key). A key that leaves the cache
// (deregistered, moved, expired) tears down the associations built on it.
import { keepRegistered, MafClient, mafKeySource, type Registration } from '@m2msec/maf';
import { MafKeyCache } from '@m2msec/saef';
import type { SecurityAssociationRegistry } from '@m2msec/security-association';
import type { CredentialStore } from '@m2msec/sensitive-data';
import type { Logger } from 'pino';
import { ConfigError, type InCseConfig } from './config.js';

export interface InCseMafTarget {
  keys: MafKeyCache;
  /** This CSE's MAF client (its own Km): also the Receiver's MAF Key Retrieval of MAF ESPrim keys. */
  client: MafClient;
  registration: Registration;
  close(): Promise<void>;
}

export function mafTarget(
  maf: NonNullable<InCseConfig['security']['maf']>,
  credentials: CredentialStore,
  registry: SecurityAssociationRegistry,
  notificationURI: string,
  log: Logger,
): InCseMafTarget {
  const isKm = credentials.list({ kind: 'Km' }).some((r) => r.credentialId === maf.kmId);
  const km = isKm ? credentials.getPskSync(maf.kmId) : undefined;
  if (!km) {
    throw new ConfigError(`security.maf.kmId '${maf.kmId}' names no usable Km: add it with 'credentials add-km'`);
  }
  const client = new MafClient({
    mafUrl: maf.url,
    mafFqdn: maf.fqdn,
    // The client keeps this copy of Km for its MAF Handshakes (Node's TLS layer needs the bytes).
    credential: { kind: 'psk', identity: maf.kmId, key: km },
  });
  const keys = new MafKeyCache({
    mafFqdns: [maf.fqdn],
    source: mafKeySource(client),
    onError: (m) => log.warn({}, m),
    onEvicted: (identity) =>
      registry.teardown((a) => a.framework === 'maf' && a.pskIdentity === identity, 'Kc no longer held (MAF)'),
  });
  const registration = keepRegistered(
    client,
    { adminFQDN: maf.adminFQDN, notificationURI },
    {
      onRegistered: (a) =>
        log.info({ mafClientRegID: a.mafClientRegID, mafClientID: a.mafClientID }, 'registered at the MAF'),
      onError: (m) => log.warn({}, m),
    },
  );
  return {
    keys,
    client,
    registration,
    async close() {
      await registration.stop();
      keys.clear();
    },
  };
}
