// Security wiring of the IN-CSE (TS-0003 6.2.3, 6.2.5, 8.2): the software SE and credential store in
// the data directory, persistent Credential-ID bindings, the SA registry, DerivedKey resource server,
// and the authentication step with the configured Mca policy. Logic lives in the packages.
import { join } from 'node:path';
import type { Administrators } from '@m2msec/administration';
import { createAuthenticator } from '@m2msec/authentication';
import type { CredentialBinding } from '@m2msec/identification';
import { MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import { lifecycle } from '@m2msec/observability';
import type { RequestHandler } from '@m2msec/protocol';
import type { EnrolmentTargetKeys } from '@m2msec/rspf';
import {
  DerivedKeyResourceServer,
  type DerivedKeyWindowState,
  derivedKeyDurabilityGate,
  parseDerivedKeyIdentity,
} from '@m2msec/saef';
import type { SecureEnvironment } from '@m2msec/secure-environment';
import {
  bindRegisteredAes,
  CredentialStorePskDirectory,
  DERIVED_KEY_TA_OWNER,
  deregisterAe,
  directoryMatcher,
  openSharedPskRevocations,
  PersistentCredentialBindings,
  type PskIdentitySources,
  revokePskCredential,
  SecurityAssociationRegistry,
} from '@m2msec/security-association';
import { CredentialStore } from '@m2msec/sensitive-data';
import type { Store } from '@m2msec/store';
import type { Logger } from 'pino';
import { ConfigError, derivedKeyWindowSize, type InCseConfig } from './config.js';
import { gbaCredentialId, gbaTarget, type InCseGbaTarget } from './gba-target.js';
import { type InCseMafTarget, mafTarget } from './maf-target.js';
import { mefEnrolmentTargetKeys } from './mef-target.js';
import { openInCseSecureEnvironmentAtRest } from './secrets-at-rest.js';

/** revokePsk of an ID that is no Kpsa of this CSE. */
export class UnknownCredentialError extends Error {
  constructor(readonly keyId: string) {
    super(`no Kpsa '${keyId}'`);
  }
}

export interface InCseSecurity {
  se: SecureEnvironment;
  credentials: CredentialStore;
  kpsa: CredentialStorePskDirectory;
  bindings: PersistentCredentialBindings;
  registry: SecurityAssociationRegistry;
  derivedKey?: DerivedKeyResourceServer;
  /** Keys of MEF enrolments naming this CSE as Enrolment Target (security.mef). */
  rspfKeys?: EnrolmentTargetKeys;
  /** Entity B of the MAF-based SAEF (security.maf): Kc by Key Identifier, kept registered at the MAF. */
  maf?: InCseMafTarget;
  /** NAF of GBA-based RSPF (security.gba): Ks_NAF by B-TID over the Zn, bound to the Enrolee-ID. */
  gba?: InCseGbaTarget;
  /**
   * What every PSK-based listener (HTTPS TLS-PSK, CoAP DTLS-PSK) resolves a psk_identity from, through
   * security-association's PskIdentityRouter: DerivedKey, MAF Kc, then the remotely provisioned forms
   * (RSPF KeIDs, GBA B-TIDs; each a PrefetchingKeyDirectory behind a directoryMatcher), then Kpsa.
   */
  pskSources: PskIdentitySources;
  authenticate: ReturnType<typeof createAuthenticator>;
  /** The CSE's handler with AE-IDs bound to the association's credential at registration. */
  wrapHandler(handler: RequestHandler): RequestHandler;
  /** Before an <AE> is deleted: unbind its AE-ID and end the associations acting as it (issue 12). */
  deregisterAe(aei: string): Promise<void>;
  /** Revokes a Kpsa: key deleted, binding removed, live sessions torn down; resolves to how many. */
  revokePsk(keyId: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The SE keystore in the data directory; its KEK from M2MSEC_KEK or a key file outside the data directory
 * (inside only where kekInDataDirAllowed, with a warning): secrets-at-rest.ts.
 */
export async function openInCseSecureEnvironment(config: InCseConfig, log?: Logger): Promise<SecureEnvironment> {
  const { se, kek } = await openInCseSecureEnvironmentAtRest(config);
  if (kek.kind === 'file' && kek.insideDataDir) {
    log?.warn(
      { keyFile: kek.keyFile },
      'the key-encryption key lies inside the data directory it protects (development only): set security.keyFile ' +
        'to a file elsewhere or M2MSEC_KEK; the secure profile refuses this',
    );
  }
  return se;
}

export async function openInCseBindings(config: InCseConfig, store: Store): Promise<PersistentCredentialBindings> {
  return PersistentCredentialBindings.open(store.collection<CredentialBinding>('sa-credential-bindings'), {
    spId: config.cse.spId,
    cseId: config.cse.cseId,
  });
}

/** Identities the system reserves are never bound to an AE's credential (docs/administration.md). */
export function checkAeBindingIds(ids: readonly string[], administrators: Administrators, what: string): void {
  for (const id of ids) {
    if (administrators.reserved.isReserved(id)) {
      throw new ConfigError(
        `${what}: '${id}' is reserved (an administrator's originator or a CSE-ID); administrators are configured in security.administrators`,
      );
    }
  }
}

export async function openSecurity(
  config: InCseConfig,
  store: Store,
  log: Logger,
  administrators: Administrators,
  /** An open SE to use instead of the keystore in the data directory (closed with the rest). */
  givenSe?: SecureEnvironment,
): Promise<InCseSecurity> {
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const se = givenSe ?? (await openInCseSecureEnvironment(config, log));
  const credentials = await CredentialStore.open({
    se,
    logger: { debug: (m, f) => log.debug(f ?? {}, m), warn: (m, f) => log.warn(f ?? {}, m) },
  });
  const kpsa = new CredentialStorePskDirectory(credentials);
  const bindings = await openInCseBindings(config, store);
  for (const [n, b] of config.security.bindings.entries()) {
    checkAeBindingIds(b.aeIds ?? [], administrators, `security.bindings[${n}].aeIds`);
  }
  for (const b of config.security.bindings) {
    await bindings.set(
      b.credentialId,
      b.cseId ? { kind: 'cse', cseId: b.cseId } : { kind: 'ae', aeIds: b.aeIds ?? [] },
    );
  }
  // Lifecycle lines of every association (identifiers and facts, never key material).
  const registry = new SecurityAssociationRegistry({
    onLifecycle: (event, a, facts) =>
      lifecycle(
        log,
        undefined,
        `association-${event}`,
        {
          framework: a.framework,
          credentialId: a.credentialId,
          ...(a.pskIdentity ? { pskIdentity: a.pskIdentity } : {}),
          provenIds: a.provenIds,
          ...(a.peerCertificate ? { certificate: a.peerCertificate.fingerprint256 } : {}),
          ...facts,
        },
        `security association ${event}`,
      ),
  });
  // Revocations made at any instance sharing the store (docs/scale-out.md): each holds the keys in its
  // own SE, so each removes the key and tears down its sessions, also when it starts after the fact.
  const revocations = await openSharedPskRevocations(
    store,
    async (keyId) => {
      const rec = credentials.list({ kind: 'Kpsa' }).find((r) => r.credentialId === keyId);
      if (rec && rec.owner !== DERIVED_KEY_TA_OWNER) {
        await credentials.delete(keyId);
        kpsa.refresh();
      }
      const credentialId = `12-${keyId}`;
      registry.teardown((a) => a.framework === 'psk' && a.credentialId === credentialId, `${credentialId} revoked`);
    },
    (m) => log.error({}, m),
  );
  let derivedKey: DerivedKeyResourceServer | undefined;
  const trustAnchors = kpsa.trustAnchorKeys();
  if (config.security.derivedKey && trustAnchors.length > 0) {
    // On PostgreSQL several IN-CSE instances may share the store behind a load balancer: the windows
    // are then decided in the shared rows, so a number one instance accepted is refused by all
    // (docs/scale-out.md). The embedded store has one instance: its own window and journal.
    const windows =
      store.kind === 'postgres'
        ? { shared: { store, collection: 'dk-windows' } }
        : {
            state: store.collection<DerivedKeyWindowState>('dk-windows'),
            journalPath: join(config.dataDir, 'dk-accept.journal'),
          };
    derivedKey = await DerivedKeyResourceServer.open({
      trustAnchors,
      ...windows,
      windowSize: derivedKeyWindowSize(config.security.derivedKey),
      onError: (m) => log.error({}, m),
    });
    for (const t of trustAnchors) t.key.fill(0);
    derivedKey.onRevoked((taId, seqs) => {
      const revoked = new Set(seqs);
      registry.teardown((a) => {
        if (a.framework !== 'derived-key' || !a.pskIdentity) return false;
        const p = parseDerivedKeyIdentity(a.pskIdentity);
        return p.taId === taId && revoked.has(p.sequenceNumber);
      }, 'DerivedKey sequence number revoked');
    });
  }
  const isReserved = (id: string) => administrators.reserved.isReserved(id);
  const rspfKeys = config.security.mef
    ? mefEnrolmentTargetKeys(config.security.mef, bindings, log, isReserved)
    : undefined;
  const gba = config.security.gba ? gbaTarget(config, bindings, log, isReserved) : undefined;
  const mafConfig = config.security.maf;
  const maf = mafConfig
    ? mafTarget(
        mafConfig,
        credentials,
        registry,
        mafConfig.notificationUrl ?? `http://${config.http.host}:${config.http.port}${MAF_KEY_NOTIFICATION_PATH}`,
        log,
      )
    : undefined;
  // Remotely provisioned PSKs (TS-0003 8.3.2.1, 8.3.2.3) reach the PSK callback through the router: each
  // form is recognised syntactically, its key read from its prefetching directory (a miss starts a fetch).
  const matchers = [
    ...(rspfKeys
      ? [
          directoryMatcher({
            directory: rspfKeys,
            matches: (identity) => rspfKeys.isEnrolmentKeyId(identity),
            refusal: 'no enrolment key for this KeID (yet): retrieval from the MEF started',
          }),
        ]
      : []),
    ...(gba
      ? [
          directoryMatcher({
            directory: gba,
            matches: gba.isBtid,
            // base64 B-TIDs are not Credential-ID characters: the association carries gbaCredentialId.
            credentialId: gbaCredentialId,
            refusal: 'no Ks_NAF for this B-TID (yet): Zn fetch started',
          }),
        ]
      : []),
  ];
  const pskSources: PskIdentitySources = {
    idContext,
    kpsa,
    ...(derivedKey ? { derivedKey } : {}),
    ...(maf ? { maf: maf.keys } : {}),
    matchers,
  };
  return {
    se,
    credentials,
    kpsa,
    pskSources,
    bindings,
    registry,
    ...(rspfKeys ? { rspfKeys } : {}),
    ...(maf ? { maf } : {}),
    ...(gba ? { gba } : {}),
    ...(derivedKey ? { derivedKey } : {}),
    // Both profiles: an AE-ID bound to a credential is only ever used inside that credential's
    // association (TS-0003 7.2.1), never from the plain listener.
    authenticate: createAuthenticator({
      mca: config.security.mca,
      isCredentialBoundAe: (aeId) => bindings.isAeBoundSync(aeId),
    }),
    async deregisterAe(aei) {
      const n = await deregisterAe({ bindings, registry, idContext }, aei);
      log.info({ aei, associations: n }, 'AE deregistered: credential bindings removed');
    },
    async revokePsk(keyId) {
      const n = await revokePskCredential(
        {
          bindings,
          registry,
          deleteKey: async (id) => {
            const rec = credentials.list({ kind: 'Kpsa' }).find((r) => r.credentialId === id);
            if (!rec || rec.owner === DERIVED_KEY_TA_OWNER) throw new UnknownCredentialError(id);
            await credentials.delete(id);
            kpsa.refresh();
          },
        },
        keyId,
      );
      await revocations.record(keyId);
      log.info({ credentialId: `12-${keyId}`, associations: n }, 'PSK credential revoked');
      return n;
    },
    wrapHandler: (handler) => {
      const bound = bindRegisteredAes(handler, {
        bindings,
        idContext,
        isReserved,
        onError: (m) => log.error({}, m),
      });
      // A DerivedKey session's first request waits for its acceptance to reach stable storage.
      return derivedKey ? derivedKeyDurabilityGate(bound, derivedKey) : bound;
    },
    async close() {
      revocations.close();
      await derivedKey?.close();
      rspfKeys?.clear();
      gba?.close();
      await maf?.close();
      credentials.close();
      await se.close();
    },
  };
}
