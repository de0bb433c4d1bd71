// Security wiring of the IN-CSE (TS-0003 6.2.3, 6.2.5, 8.2): the software SE and credential store in
// the data directory, persistent Credential-ID bindings, the SA registry, DerivedKey resource server,
// and the authentication step with the configured Mca policy. Logic lives in the packages.
import { join } from 'node:path';
import { createAuthenticator } from '@m2msec/authentication';
import type { CredentialBinding } from '@m2msec/identification';
import { MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
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
  PersistentCredentialBindings,
  SecurityAssociationRegistry,
} from '@m2msec/security-association';
import { CredentialStore } from '@m2msec/sensitive-data';
import type { Store } from '@m2msec/store';
import type { Logger } from 'pino';
import type { InCseConfig } from './config.js';
import { gbaTarget, type InCseGbaTarget } from './gba-target.js';
import { type InCseMafTarget, mafTarget } from './maf-target.js';
import { mefEnrolmentTargetKeys } from './mef-target.js';
import { openInCseSecureEnvironmentAtRest } from './secrets-at-rest.js';

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
  authenticate: ReturnType<typeof createAuthenticator>;
  /** The CSE's handler with AE-IDs bound to the association's credential at registration. */
  wrapHandler(handler: RequestHandler): RequestHandler;
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

export async function openSecurity(config: InCseConfig, store: Store, log: Logger): Promise<InCseSecurity> {
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const se = await openInCseSecureEnvironment(config, log);
  const credentials = await CredentialStore.open({
    se,
    logger: { debug: (m, f) => log.debug(f ?? {}, m), warn: (m, f) => log.warn(f ?? {}, m) },
  });
  const kpsa = new CredentialStorePskDirectory(credentials);
  const bindings = await openInCseBindings(config, store);
  for (const b of config.security.bindings) {
    await bindings.set(
      b.credentialId,
      b.cseId ? { kind: 'cse', cseId: b.cseId } : { kind: 'ae', aeIds: b.aeIds ?? [] },
    );
  }
  const registry = new SecurityAssociationRegistry({
    onTeardown: (a, reason) =>
      log.info({ credentialId: a.credentialId, framework: a.framework, reason }, 'SA torn down'),
  });
  let derivedKey: DerivedKeyResourceServer | undefined;
  const trustAnchors = kpsa.trustAnchorKeys();
  if (config.security.derivedKey && trustAnchors.length > 0) {
    derivedKey = await DerivedKeyResourceServer.open({
      trustAnchors,
      state: store.collection<DerivedKeyWindowState>('dk-windows'),
      journalPath: join(config.dataDir, 'dk-accept.journal'),
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
  const rspfKeys = config.security.mef ? mefEnrolmentTargetKeys(config.security.mef, bindings, log) : undefined;
  const gba = config.security.gba ? gbaTarget(config, bindings, log) : undefined;
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
  return {
    se,
    credentials,
    kpsa,
    bindings,
    registry,
    ...(rspfKeys ? { rspfKeys } : {}),
    ...(maf ? { maf } : {}),
    ...(gba ? { gba } : {}),
    ...(derivedKey ? { derivedKey } : {}),
    authenticate: createAuthenticator({ mca: config.security.mca }),
    wrapHandler: (handler) => {
      const bound = bindRegisteredAes(handler, { bindings, idContext, onError: (m) => log.error({}, m) });
      // A DerivedKey session's first request waits for its acceptance to reach stable storage.
      return derivedKey ? derivedKeyDurabilityGate(bound, derivedKey) : bound;
    },
    async close() {
      await derivedKey?.close();
      rspfKeys?.clear();
      gba?.close();
      await maf?.close();
      credentials.close();
      await se.close();
    },
  };
}
