// The MEF's state over @m2msec/store collections, plus the in-memory PSK directory the synchronous
// TLS pskCallback reads (DESIGN 3). Every write commits before the caller answers; secrets are
// sealed by the KeyVault. Several MEF instances may share one PostgreSQL database: an instance that
// misses a PSK identity fetches that one identity in the background and the client's retry succeeds
// (psk-directory.ts: never the whole table, so unknown identities cannot amplify into mass decryption).
import {
  checkGrant,
  defaultDerivation,
  type EnroleePolicy,
  type EnroleePrincipal,
  type EnrolmentRecord,
  type EnrolmentRepository,
  type KeyVault,
  RspfError,
} from '@m2msec/rspf';
import { type Collection, type CollectionTransaction, type Store, sortableNumber } from '@m2msec/store';
import { PskDirectory } from './psk-directory.js';
import type {
  ClientRegistration,
  EnroleeConfig,
  EnroleeRecord,
  IssuedCertificateRecord,
  KeyRegistration,
  TargetRecord,
} from './records.js';

export const EST_BASE_PATH = '/.well-known/est';
/** Store event channel: the PSK of an identity (an enrolee's Kpm or a target's key) changed. */
const PSK_CHANNEL = 'mef-psk';

type PskEntry = { key: Buffer; kind: 'enrolee' | 'target'; ref: string };

/** psk_identity -> the Enrolment Target that uses it (an index, so a lookup by identity reads one row). */
type TargetPskIndex = { targetId: string };

/** Index key of a Mmef client registration: the client and the administrating stakeholder it registered for. */
export const clientRegKey = (mefClientID: string, adminFQDN: string): string => `${mefClientID}|${adminFQDN}`;

/** How many expired entries one purge step deletes before it looks again (bounded reads, docs/storage.md). */
const PURGE_BATCH = 500;

// The secondary indexes every request path reads through (docs/storage.md): each lookup a request makes
// is an index range in the store, never a walk over every enrolee, registration or certificate.
const enroleeIndexes = { enroleeId: { key: (e: EnroleeRecord) => e.enroleeId } };
const targetIndexes = {
  pskIdentity: { key: (t: TargetRecord) => t.pskIdentity },
  certificateSan: { key: (t: TargetRecord) => t.certificateSan },
};
const enrolmentIndexes = {
  enroleeId: { key: (e: EnrolmentRecord) => e.enroleeId },
  expiresAt: { key: (e: EnrolmentRecord) => sortableNumber(e.expiresAt) },
  pendingSince: { key: (e: EnrolmentRecord) => (e.state === 'pending' ? sortableNumber(e.createdAt) : undefined) },
};
const clientRegIndexes = {
  client: { key: (r: ClientRegistration) => clientRegKey(r.mefClientID, r.adminFQDN) },
  et: { key: (r: ClientRegistration) => sortableNumber(r.et) },
};
const keyRegIndexes = { et: { key: (r: KeyRegistration) => sortableNumber(r.et) } };
const issuedIndexes = {
  holder: { key: (r: IssuedCertificateRecord) => r.holder },
  notAfter: { key: (r: IssuedCertificateRecord) => sortableNumber(r.notAfter) },
  /** Revoked certificates by notAfter: the CRL lists those not yet expired. */
  revoked: {
    key: (r: IssuedCertificateRecord) => (r.revokedAt === undefined ? undefined : sortableNumber(r.notAfter)),
  },
};

export class MefStore implements EnrolmentRepository {
  readonly enrolees: Collection<EnroleeRecord>;
  readonly targets: Collection<TargetRecord>;
  readonly enrolments: Collection<EnrolmentRecord>;
  readonly clientRegs: Collection<ClientRegistration>;
  readonly keyRegs: Collection<KeyRegistration>;
  readonly targetPsks: Collection<TargetPskIndex>;
  readonly psks: PskDirectory<PskEntry>;
  /** EST certificates by canonical serial (never deleted while valid: the CRL is made from them). */
  readonly issued: Collection<IssuedCertificateRecord>;

  private constructor(
    readonly store: Store,
    readonly vault: KeyVault,
    private readonly now: () => number,
  ) {
    this.enrolees = store.collection<EnroleeRecord>('mef-enrolees', { indexes: enroleeIndexes });
    this.targets = store.collection<TargetRecord>('mef-targets', { indexes: targetIndexes });
    this.enrolments = store.collection<EnrolmentRecord>('mef-enrolments', { indexes: enrolmentIndexes });
    this.clientRegs = store.collection<ClientRegistration>('mef-client-regs', { indexes: clientRegIndexes });
    this.keyRegs = store.collection<KeyRegistration>('mef-key-regs', { indexes: keyRegIndexes });
    this.targetPsks = store.collection<TargetPskIndex>('mef-target-psk');
    this.psks = new PskDirectory<PskEntry>({ load: (id) => this.loadPsk(id), wipe: (e) => e.key.fill(0) });
    this.issued = store.collection<IssuedCertificateRecord>('mef-issued-certificates', { indexes: issuedIndexes });
  }

  static async open(store: Store, vault: KeyVault, now: () => number = Date.now): Promise<MefStore> {
    const s = new MefStore(store, vault, now);
    // MEF replicas on one PostgreSQL store: a PSK written or revoked at one is reread by all (a revoked
    // enrolee's Kpm must stop opening handshakes everywhere, not only where it was revoked). Listen before
    // the first load, so a change committed in between is both loaded and heard.
    s.#unsubscribe = await store.events.subscribe(PSK_CHANNEL, (identity) => {
      if (identity === null) void s.reloadPsks().catch(() => undefined);
      else s.psks.refresh(identity);
    });
    await s.reloadPsks();
    return s;
  }

  #unsubscribe: (() => void) | undefined;

  /** Tells every instance sharing the store (this one included) that `identity`'s PSK changed. */
  private changedPsk(tx: CollectionTransaction, identity: string): Promise<void> {
    return tx.events.publish(PSK_CHANNEL, identity);
  }

  // ---- PSK directory (synchronous, for the MEF Handshake) -------------------------------------

  pskLookup(identity: string): PskEntry | undefined {
    return this.psks.lookup(identity);
  }

  /**
   * Fills the directory from the store (start-up, and after missed events): the PSK enrolees (their key
   * range) and the targets in the pskIdentity index, never the certificate enrolees or targets; and
   * indexes targets written before the identity index collection existed.
   */
  async reloadPsks(): Promise<void> {
    for (const { value: e } of await this.enrolees.list('psk:')) {
      const id = e.principal.slice(4);
      if (e.sealedKpm)
        this.psks.set(id, { key: await this.vault.open('Kpm', id, e.sealedKpm), kind: 'enrolee', ref: e.principal });
    }
    for (const { value: t } of await this.targets.range('pskIdentity', {})) {
      if (!t.pskIdentity || !t.sealedKey || this.psks.peek(t.pskIdentity)) continue;
      await this.targetPsks.put(t.pskIdentity, { targetId: t.targetId });
      this.psks.set(t.pskIdentity, await this.targetPsk(t));
    }
  }

  /** One identity, read by key: an enrolee's Kpm or an Enrolment Target's PSK. */
  private async loadPsk(identity: string): Promise<PskEntry | undefined> {
    const e = await this.enrolees.get(`psk:${identity}`);
    if (e?.sealedKpm)
      return { key: await this.vault.open('Kpm', identity, e.sealedKpm), kind: 'enrolee', ref: e.principal };
    const ix = await this.targetPsks.get(identity);
    const t = ix && (await this.targets.get(ix.targetId));
    return t?.sealedKey && t.pskIdentity === identity ? this.targetPsk(t) : undefined;
  }

  private async targetPsk(t: TargetRecord): Promise<PskEntry> {
    return { key: await this.vault.open('target-psk', t.targetId, t.sealedKey!), kind: 'target', ref: t.targetId };
  }

  // ---- enrolees (admin) -----------------------------------------------------------------------

  async putEnrolee(
    principal: string,
    config: EnroleeConfig,
    secret?: { kpm?: Buffer; ha1?: Buffer; passwordHash?: string },
  ): Promise<EnroleeRecord> {
    const targets = config.targets.map((t) =>
      checkGrant({ ...t, derivation: t.derivation ?? defaultDerivation(t.suid) }),
    );
    const rec: EnroleeRecord = { ...config, targets, principal, createdAt: this.now() };
    if (secret?.kpm) {
      if (this.psks.peek(principal.slice(4))?.kind === 'target' || (await this.targetPsks.get(principal.slice(4)))) {
        throw new RspfError('CONFLICT', `PSK identity '${principal.slice(4)}' already names an Enrolment Target`);
      }
      rec.sealedKpm = await this.vault.seal('Kpm', principal.slice(4), secret.kpm);
    }
    if (secret?.ha1) rec.sealedHa1 = await this.vault.seal('ha1', principal, secret.ha1);
    if (secret?.passwordHash) {
      rec.sealedPasswordHash = await this.vault.seal('password-hash', principal, Buffer.from(secret.passwordHash));
    }
    await this.store.transaction(async (tx) => {
      await tx.collection<EnroleeRecord>('mef-enrolees').put(principal, rec);
      if (principal.startsWith('psk:')) await this.changedPsk(tx, principal.slice(4));
    });
    if (principal.startsWith('psk:')) {
      const id = principal.slice(4);
      if (secret?.kpm) this.psks.set(id, { key: Buffer.from(secret.kpm), kind: 'enrolee', ref: principal });
      else if (this.psks.peek(id)?.kind === 'enrolee') this.psks.delete(id);
    }
    return rec;
  }

  /**
   * Revocation: the enrolee can no longer enrol, none of its enrolments is served again and every
   * certificate issued to it is revoked (it goes on the CRL; issue 12 item 6).
   */
  async revokeEnrolee(principal: string): Promise<number> {
    const rec = await this.enrolees.get(principal);
    if (!rec) throw new RspfError('NOT_FOUND', `no enrolee '${principal}'`);
    // Certificates before the enrolee (a crash in between leaves an enrolee to revoke again, never an
    // unrevoked certificate of a deleted enrolee), and once more after it: a certificate recorded
    // while this ran is caught here or by recordEstIssuance's check after its insert.
    await this.revokeCertificatesOf(principal);
    await this.store.transaction(async (tx) => {
      await tx.collection<EnroleeRecord>('mef-enrolees').delete(principal);
      if (principal.startsWith('psk:')) await this.changedPsk(tx, principal.slice(4));
    });
    await this.revokeCertificatesOf(principal);
    if (principal.startsWith('psk:') && this.psks.peek(principal.slice(4))?.kind === 'enrolee') {
      this.psks.delete(principal.slice(4));
    }
    let n = 0;
    for (const { key, value } of await this.enrolments.find('enroleeId', rec.enroleeId)) {
      if (value.state !== 'revoked') {
        await this.enrolments.put(key, { ...value, state: 'revoked' });
        n++;
      }
    }
    return n;
  }

  private async revokeCertificatesOf(principal: string): Promise<void> {
    for (const { value } of await this.issued.find('holder', principal)) {
      if (value.revokedAt === undefined) {
        await this.revokeCertificate(value.serialNumber, 'cessationOfOperation');
      }
    }
  }

  /** Records an EST certificate before it is delivered (EstServerOptions.recordIssued). */
  async recordIssued(r: IssuedCertificateRecord): Promise<void> {
    if (!(await this.issued.insert(r.serialNumber, r))) {
      throw new RspfError('CONFLICT', `certificate serial ${r.serialNumber} was already issued`);
    }
  }

  /** Marks an issued certificate revoked (idempotent: the first revocation time and reason stay). */
  async revokeCertificate(serialNumber: string, reason = 'unspecified'): Promise<IssuedCertificateRecord> {
    return this.store.transaction(async (tx) => {
      const c = tx.collection<IssuedCertificateRecord>('mef-issued-certificates');
      const r = await c.get(serialNumber);
      if (!r) throw new RspfError('NOT_FOUND', `no certificate with serial ${serialNumber} was issued by this MEF`);
      if (r.revokedAt !== undefined) return r;
      const revoked = { ...r, revokedAt: this.now(), reason };
      await c.put(serialNumber, revoked);
      return revoked;
    });
  }

  async revokeEnrolment(keId: string): Promise<void> {
    const r = await this.enrolments.get(keId);
    if (!r) throw new RspfError('NOT_FOUND', `no enrolment '${keId}'`);
    await this.enrolments.put(keId, { ...r, state: 'revoked' });
  }

  async putTarget(t: TargetRecord, key?: Buffer): Promise<void> {
    const rec: TargetRecord = { ...t };
    if (t.pskIdentity) {
      if (this.psks.peek(t.pskIdentity)?.kind === 'enrolee' || (await this.enrolees.get(`psk:${t.pskIdentity}`))) {
        throw new RspfError('CONFLICT', `PSK identity '${t.pskIdentity}' already names an enrolee`);
      }
      if (!key) throw new RspfError('BAD_REQUEST', 'a PSK-authenticated target needs its key');
      rec.sealedKey = await this.vault.seal('target-psk', t.targetId, key);
    }
    const previous = await this.targets.get(t.targetId);
    await this.store.transaction(async (tx) => {
      await tx.collection<TargetRecord>('mef-targets').put(t.targetId, rec);
      if (previous?.pskIdentity && previous.pskIdentity !== t.pskIdentity) {
        await tx.collection<TargetPskIndex>('mef-target-psk').delete(previous.pskIdentity);
        await this.changedPsk(tx, previous.pskIdentity);
      }
      if (t.pskIdentity && key) {
        await tx.collection<TargetPskIndex>('mef-target-psk').put(t.pskIdentity, { targetId: t.targetId });
        await this.changedPsk(tx, t.pskIdentity);
      }
    });
    if (previous?.pskIdentity && previous.pskIdentity !== t.pskIdentity) this.psks.delete(previous.pskIdentity);
    if (t.pskIdentity && key) {
      this.psks.set(t.pskIdentity, { key: Buffer.from(key), kind: 'target', ref: t.targetId });
    }
  }

  /** Target IDs a TLS session's credential speaks for. */
  async targetIdsFor(session: { pskIdentity?: string; subjectAltNames?: string[] }): Promise<string[]> {
    const out = new Set<string>();
    if (session.pskIdentity !== undefined) {
      for (const { value: t } of await this.targets.find('pskIdentity', session.pskIdentity)) out.add(t.targetId);
    }
    for (const san of new Set((session.subjectAltNames ?? []).map(sanValue))) {
      for (const { value: t } of await this.targets.find('certificateSan', san)) out.add(t.targetId);
    }
    return [...out];
  }

  /** The enrolee registered with this Enrolee-ID (EST over GBA names enrolees by it). */
  async enroleeById(enroleeId: string): Promise<EnroleeRecord | undefined> {
    return (await this.enrolees.find('enroleeId', enroleeId, 1))[0]?.value;
  }

  /** The live Mmef client registration of `mefClientID` for `adminFQDN`, if any (8.3.5.2.7). */
  async clientRegistration(
    mefClientID: string,
    adminFQDN: string,
    now = this.now(),
  ): Promise<ClientRegistration | undefined> {
    return (await this.clientRegs.find('client', clientRegKey(mefClientID, adminFQDN))).find((r) => r.value.et > now)
      ?.value;
  }

  async enroleeRecordFor(principal: EnroleePrincipal): Promise<EnroleeRecord | undefined> {
    if (principal.kind === 'psk') return this.enrolees.get(`psk:${principal.kpmId}`);
    if (principal.kind === 'user') return this.enrolees.get(`user:${principal.username}`);
    for (const san of principal.subjectAltNames) {
      const r = await this.enrolees.get(`cert:${sanValue(san)}`);
      if (r) return r;
    }
    return undefined;
  }

  // ---- EnrolmentRepository --------------------------------------------------------------------

  async policyFor(principal: EnroleePrincipal): Promise<EnroleePolicy | undefined> {
    const r = await this.enroleeRecordFor(principal);
    if (!r) return undefined;
    return {
      enroleeId: r.enroleeId,
      targets: r.targets,
      enrolmentExpirySeconds: r.enrolmentExpirySeconds,
      ...(r.keyLifetimeSeconds !== undefined ? { keyLifetimeSeconds: r.keyLifetimeSeconds } : {}),
      ...(r.certificateEnrolment ? { certificateEnrolment: { uri: EST_BASE_PATH } } : {}),
      ...(r.remoteManagementUri ? { remoteManagement: { uri: r.remoteManagementUri } } : {}),
    };
  }

  async savePending(record: EnrolmentRecord): Promise<void> {
    if (!(await this.enrolments.insert(record.keId, record))) {
      throw new RspfError('CONFLICT', `KeID '${record.keId}' already exists`);
    }
  }

  markComplete(keId: string, at: number): Promise<EnrolmentRecord> {
    return this.store.transaction(async (tx) => {
      const c = tx.collection<EnrolmentRecord>('mef-enrolments');
      const r = await c.get(keId);
      if (r?.state !== 'pending') throw new RspfError('CONFLICT', `enrolment '${keId}' is not pending`);
      const done: EnrolmentRecord = { ...r, state: 'complete', completedAt: at };
      await c.put(keId, done);
      return done;
    });
  }

  get(keId: string): Promise<EnrolmentRecord | undefined> {
    return this.enrolments.get(keId);
  }

  /**
   * Housekeeping: enrolments past Ke's expiry (10.7), pending enrolments never attested within
   * `pendingMaxAgeMs` (the enrolee died between plan and attestation), expired Mmef registrations.
   */
  async purge(pendingMaxAgeMs = 10 * 60_000): Promise<number> {
    const now = this.now();
    // Each sweep walks an index ordered by time from its start and stops at `now`: it reads what it
    // deletes, not the collection (an entry whose time has not come is never read).
    const sweep = async <T>(c: Collection<T>, index: string, below: number) => {
      let n = 0;
      for (;;) {
        const batch = await c.range(index, { below: sortableNumber(Math.max(0, below)), limit: PURGE_BATCH });
        for (const { key } of batch) if (await c.delete(key)) n++;
        if (batch.length < PURGE_BATCH) return n;
      }
    };
    // Enrolments past Ke's expiry, and pending ones never attested within pendingMaxAgeMs.
    let n = await sweep(this.enrolments, 'expiresAt', now + 1);
    n += await sweep(this.enrolments, 'pendingSince', now - pendingMaxAgeMs);
    // An expired certificate leaves the CRL (RFC 5280 5.1.2.6 allows it) and its record goes.
    n += await sweep(this.issued, 'notAfter', now + 1);
    n += await sweep(this.clientRegs, 'et', now + 1);
    n += await sweep(this.keyRegs, 'et', now + 1);
    return n;
  }

  close(): void {
    this.#unsubscribe?.();
    this.psks.clear();
  }
}

/** "URI:https://x" / "DNS:x" -> the value. */
export function sanValue(entry: string): string {
  const i = entry.indexOf(':');
  const kind = entry.slice(0, i);
  return kind === 'URI' || kind === 'DNS' ? entry.slice(i + 1) : entry;
}
