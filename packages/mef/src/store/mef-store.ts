// The MEF's state over @m2msec/store collections, plus the in-memory PSK directory the synchronous
// TLS pskCallback reads (DESIGN 3). Every write commits before the caller answers; secrets are
// sealed by the KeyVault. Several MEF instances may share one PostgreSQL database: an instance that
// misses a PSK identity reloads it in the background and the client's retry succeeds.
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
import type { Collection, Store } from '@m2msec/store';
import type {
  ClientRegistration,
  EnroleeConfig,
  EnroleeRecord,
  IssuedCertificateRecord,
  KeyRegistration,
  TargetRecord,
} from './records.js';

export const EST_BASE_PATH = '/.well-known/est';

type PskEntry = { key: Buffer; kind: 'enrolee' | 'target'; ref: string };

export class MefStore implements EnrolmentRepository {
  readonly enrolees: Collection<EnroleeRecord>;
  readonly targets: Collection<TargetRecord>;
  readonly enrolments: Collection<EnrolmentRecord>;
  readonly clientRegs: Collection<ClientRegistration>;
  readonly keyRegs: Collection<KeyRegistration>;
  /** EST certificates by canonical serial (never deleted while valid: the CRL is made from them). */
  readonly issued: Collection<IssuedCertificateRecord>;
  readonly #psk = new Map<string, PskEntry>();
  #reloading: Promise<void> | undefined;

  private constructor(
    readonly store: Store,
    readonly vault: KeyVault,
    private readonly now: () => number,
  ) {
    this.enrolees = store.collection<EnroleeRecord>('mef-enrolees');
    this.targets = store.collection<TargetRecord>('mef-targets');
    this.enrolments = store.collection<EnrolmentRecord>('mef-enrolments');
    this.clientRegs = store.collection<ClientRegistration>('mef-client-regs');
    this.keyRegs = store.collection<KeyRegistration>('mef-key-regs');
    this.issued = store.collection<IssuedCertificateRecord>('mef-issued-certificates');
  }

  static async open(store: Store, vault: KeyVault, now: () => number = Date.now): Promise<MefStore> {
    const s = new MefStore(store, vault, now);
    await s.reloadPsks();
    return s;
  }

  // ---- PSK directory (synchronous, for the MEF Handshake) -------------------------------------

  pskLookup(identity: string): PskEntry | undefined {
    const e = this.#psk.get(identity);
    if (!e) void this.reloadPsks().catch(() => undefined);
    return e;
  }

  /** Re-reads every PSK from the store (deduplicated). */
  reloadPsks(): Promise<void> {
    this.#reloading ??= (async () => {
      const next = new Map<string, PskEntry>();
      for (const { value: e } of await this.enrolees.list('psk:')) {
        if (e.sealedKpm) {
          const id = e.principal.slice(4);
          next.set(id, { key: await this.vault.open('Kpm', id, e.sealedKpm), kind: 'enrolee', ref: e.principal });
        }
      }
      for (const { value: t } of await this.targets.list()) {
        if (t.pskIdentity && t.sealedKey && !next.has(t.pskIdentity)) {
          next.set(t.pskIdentity, {
            key: await this.vault.open('target-psk', t.targetId, t.sealedKey),
            kind: 'target',
            ref: t.targetId,
          });
        }
      }
      for (const [id, old] of this.#psk) if (next.get(id)?.key !== old.key) old.key.fill(0);
      this.#psk.clear();
      for (const [id, e] of next) this.#psk.set(id, e);
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  // ---- enrolees (admin) -----------------------------------------------------------------------

  async putEnrolee(
    principal: string,
    config: EnroleeConfig,
    secret?: { kpm?: Buffer; ha1?: Buffer },
  ): Promise<EnroleeRecord> {
    const targets = config.targets.map((t) =>
      checkGrant({ ...t, derivation: t.derivation ?? defaultDerivation(t.suid) }),
    );
    const rec: EnroleeRecord = { ...config, targets, principal, createdAt: this.now() };
    if (secret?.kpm) {
      if (this.#psk.get(principal.slice(4))?.kind === 'target') {
        throw new RspfError('CONFLICT', `PSK identity '${principal.slice(4)}' already names an Enrolment Target`);
      }
      rec.sealedKpm = await this.vault.seal('Kpm', principal.slice(4), secret.kpm);
    }
    if (secret?.ha1) rec.sealedHa1 = await this.vault.seal('ha1', principal, secret.ha1);
    await this.enrolees.put(principal, rec);
    await this.reloadPsks();
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
    await this.enrolees.delete(principal);
    await this.revokeCertificatesOf(principal);
    await this.reloadPsks();
    let n = 0;
    for (const { key, value } of await this.enrolments.list()) {
      if (value.enroleeId === rec.enroleeId && value.state !== 'revoked') {
        await this.enrolments.put(key, { ...value, state: 'revoked' });
        n++;
      }
    }
    return n;
  }

  private async revokeCertificatesOf(principal: string): Promise<void> {
    for (const { value } of await this.issued.list()) {
      if (value.holder === principal && value.revokedAt === undefined) {
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
      const clash = this.#psk.get(t.pskIdentity);
      if (clash && clash.kind === 'enrolee') {
        throw new RspfError('CONFLICT', `PSK identity '${t.pskIdentity}' already names an enrolee`);
      }
      if (!key) throw new RspfError('BAD_REQUEST', 'a PSK-authenticated target needs its key');
      rec.sealedKey = await this.vault.seal('target-psk', t.targetId, key);
    }
    await this.targets.put(t.targetId, rec);
    await this.reloadPsks();
  }

  /** Target IDs a TLS session's credential speaks for. */
  async targetIdsFor(session: { pskIdentity?: string; subjectAltNames?: string[] }): Promise<string[]> {
    const out: string[] = [];
    for (const { value: t } of await this.targets.list()) {
      if (session.pskIdentity !== undefined && t.pskIdentity === session.pskIdentity) out.push(t.targetId);
      if (t.certificateSan && session.subjectAltNames?.some((s) => sanValue(s) === t.certificateSan))
        out.push(t.targetId);
    }
    return out;
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
    let n = 0;
    for (const { key, value } of await this.enrolments.list()) {
      if (now >= value.expiresAt || (value.state === 'pending' && now - value.createdAt > pendingMaxAgeMs)) {
        if (await this.enrolments.delete(key)) n++;
      }
    }
    // An expired certificate leaves the CRL (RFC 5280 5.1.2.6 allows it) and its record goes.
    for (const { key, value } of await this.issued.list()) {
      if (now >= value.notAfter && (await this.issued.delete(key))) n++;
    }
    for (const c of [this.clientRegs, this.keyRegs] as Array<Collection<{ et: number }>>) {
      for (const { key, value } of await c.list()) if (now >= value.et && (await c.delete(key))) n++;
    }
    return n;
  }

  close(): void {
    for (const e of this.#psk.values()) e.key.fill(0);
    this.#psk.clear();
  }
}

/** "URI:https://x" / "DNS:x" -> the value. */
export function sanValue(entry: string): string {
  const i = entry.indexOf(':');
  const kind = entry.slice(0, i);
  return kind === 'URI' || kind === 'DNS' ? entry.slice(i + 1) : entry;
}
