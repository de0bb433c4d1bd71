import { LABEL_KM, LABEL_KPSA, LABEL_USAGE_CONSTRAINED, parseSuid, suidOctets } from '@m2msec/crypto';
import type { KeyUsage, SecureEnvironment } from '@m2msec/secure-environment';
import { SensitiveDataError } from './errors.js';
import { PskCache } from './lib/psk-cache.js';
import type {
  CredentialAuditEvent,
  CredentialKind,
  CredentialRecord,
  CredentialStoreLogger,
  KeyCredentialKind,
} from './types.js';

const RECORD_PREFIX = 'sd:record:';
const KEY_PREFIX = 'sd:key:';
const BLOB_PREFIX = 'sd:blob:';

/** Keys a TLS-PSK handshake uses (8.3.2 Kpm, 8.8.2 Km / Kc, 8.2.2 Kpsa); Ke only derives. */
const pskKinds: readonly CredentialKind[] = ['Kpm', 'Km', 'Kpsa', 'Kc'];
const usagesFor: Record<KeyCredentialKind, KeyUsage[]> = {
  Ke: ['derive'],
  Kpm: ['mac', 'tls-psk'],
  Km: ['mac', 'tls-psk'],
  Kpsa: ['mac', 'tls-psk'],
  Kc: ['mac', 'tls-psk'],
};

export interface CredentialStoreOptions {
  se: SecureEnvironment;
  audit?: (event: CredentialAuditEvent) => void;
  logger?: CredentialStoreLogger;
  now?: () => number;
}

export interface CredentialMetadata {
  credentialId: string;
  suid?: number;
  owner: string;
  targetIds?: string[];
  expiresAt?: number;
}

const isPrintable = (v: unknown, max = 255): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && [...v].every((c) => c >= ' ' && c <= '~');

/**
 * Credential store over a SecureEnvironment (TS-0003 6.2.5): records for Kpm, Ke, Km, Kpsa, Kc,
 * certificates and trust anchors; the key bytes live only in the SE. Metadata records are SE
 * credential blobs, so they share the SE's protection at rest.
 */
export class CredentialStore {
  private readonly records = new Map<string, CredentialRecord>();
  private readonly cache = new PskCache();
  private readonly now: () => number;

  private constructor(private readonly o: CredentialStoreOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Load records, drop keys a crash left without a record, purge expired ones, fill the PSK cache. */
  static async open(options: CredentialStoreOptions): Promise<CredentialStore> {
    const store = new CredentialStore(options);
    const se = options.se;
    for (const label of await se.listCredentials()) {
      if (!label.startsWith(RECORD_PREFIX)) continue;
      const blob = await se.readCredential(label);
      const rec = blob ? (JSON.parse(Buffer.from(blob).toString('utf8')) as CredentialRecord) : undefined;
      if (rec?.credentialId) store.records.set(rec.credentialId, rec);
    }
    const referenced = new Set([...store.records.values()].map((r) => r.seRef));
    for (const k of await se.listKeys()) {
      if (k.id.startsWith(KEY_PREFIX) && !referenced.has(k.id)) {
        await se.deleteKey(k.id);
        options.logger?.warn('removed a key without a credential record (interrupted add)', { keyId: k.id });
      }
    }
    await store.purgeExpired();
    for (const r of store.records.values()) {
      if (pskKinds.includes(r.kind)) store.cache.set(r.credentialId, await se.exportPskForTls(r.seRef), r.expiresAt);
    }
    return store;
  }

  // ---- adding --------------------------------------------------------------------------------

  /** Store a symmetric key (e.g. a pre-provisioned Kpm, or a Kpsa received from the MEF). */
  async addKey(kind: KeyCredentialKind, meta: CredentialMetadata, key: Uint8Array): Promise<CredentialRecord> {
    const rec = this.newRecord(kind, meta, `${KEY_PREFIX}${meta.credentialId}`);
    return this.audited('add', rec.credentialId, kind, async () => {
      await this.o.se.importKey({ algorithm: 'HMAC', usages: usagesFor[kind], id: rec.seRef, label: kind }, key);
      return this.commitRecord(rec);
    });
  }

  /**
   * Derive a key from a stored Ke inside the SE (TS-0003 10.3.2 Km from MAF-ID, 10.3.3 Kpsa from
   * Enrolee-B-ID, 10.3.7 usage-constrained keys from SUID and Enrolment-Target-ID).
   */
  async deriveFromKe(
    keId: string,
    derivation:
      | { kind: 'Km'; mafId: string }
      | { kind: 'Kpsa'; enroleeBId: string }
      | { kind: 'Kpm' | 'Kc'; suid: number; enrolmentTargetId: string },
    meta: CredentialMetadata,
  ): Promise<CredentialRecord> {
    const ke = this.requireUsable(keId, 'Ke');
    const rec = this.newRecord(derivation.kind, meta, `${KEY_PREFIX}${meta.credentialId}`);
    const params =
      derivation.kind === 'Km'
        ? { label: LABEL_KM, context: derivation.mafId }
        : derivation.kind === 'Kpsa'
          ? { label: LABEL_KPSA, context: derivation.enroleeBId }
          : {
              label: LABEL_USAGE_CONSTRAINED,
              context: Buffer.concat([
                suidOctets(parseSuid(derivation.suid)),
                Buffer.from(derivation.enrolmentTargetId.normalize('NFKC'), 'utf8'),
              ]),
            };
    return this.audited('derive', rec.credentialId, rec.kind, async () => {
      await this.o.se.deriveKey(ke.seRef, params, {
        algorithm: 'HMAC',
        usages: usagesFor[derivation.kind],
        id: rec.seRef,
        label: derivation.kind,
      });
      return this.commitRecord(rec);
    });
  }

  /** Store a certificate or trust anchor (DER or PEM bytes). */
  async addCertificate(
    kind: 'certificate' | 'trust-anchor',
    meta: CredentialMetadata,
    data: Uint8Array,
  ): Promise<CredentialRecord> {
    const rec = this.newRecord(kind, meta, `${BLOB_PREFIX}${meta.credentialId}`);
    return this.audited('add', rec.credentialId, kind, async () => {
      await this.o.se.writeCredential(rec.seRef, data);
      return this.commitRecord(rec);
    });
  }

  // ---- lookup and use ------------------------------------------------------------------------

  /** The record for an ID; an expired credential is refused (EXPIRED) and purged. */
  async get(credentialId: string): Promise<CredentialRecord> {
    return this.requireUsableAsync(credentialId);
  }

  list(filter: { kind?: CredentialKind; owner?: string } = {}): CredentialRecord[] {
    return [...this.records.values()].filter(
      (r) => (!filter.kind || r.kind === filter.kind) && (!filter.owner || r.owner === filter.owner),
    );
  }

  /** HMAC-SHA-256 with a stored key, inside the SE. */
  async mac(credentialId: string, data: Uint8Array): Promise<Uint8Array> {
    const rec = await this.requireUsableAsync(credentialId);
    if (rec.kind === 'certificate' || rec.kind === 'trust-anchor' || rec.kind === 'Ke') {
      throw new SensitiveDataError('WRONG_KIND', `credential '${credentialId}' is a ${rec.kind}, not a MAC key`);
    }
    return this.audited('use-mac', credentialId, rec.kind, () => this.o.se.mac(rec.seRef, data));
  }

  /** The SE key id behind a key credential, for SE operations (after the expiry check). */
  async seKeyId(credentialId: string): Promise<string> {
    const rec = await this.requireUsableAsync(credentialId);
    if (!rec.seRef.startsWith(KEY_PREFIX))
      throw new SensitiveDataError('WRONG_KIND', `credential '${credentialId}' is not a key`);
    return rec.seRef;
  }

  async readCertificate(credentialId: string): Promise<Uint8Array> {
    const rec = await this.requireUsableAsync(credentialId);
    if (rec.kind !== 'certificate' && rec.kind !== 'trust-anchor') {
      throw new SensitiveDataError('WRONG_KIND', `credential '${credentialId}' is a ${rec.kind}, not a certificate`);
    }
    return this.audited(
      'read',
      credentialId,
      rec.kind,
      async () => (await this.o.se.readCredential(rec.seRef)) ?? new Uint8Array(),
    );
  }

  /**
   * For Node's synchronous TLS pskCallback: the PSK for this identity (KpmID, KmID, KpsaID, Kc
   * Key Identifier) or undefined. No await anywhere: served from the in-memory cache, which
   * add / delete / expiry keep coherent with the store. An expired key is refused and purged.
   */
  getPskSync(identity: string): Buffer | undefined {
    const now = this.now();
    const hit = this.cache.get(identity, now);
    if (hit === undefined) {
      this.event('use-psk', identity, undefined, 'failure', 'unknown identity');
      return undefined;
    }
    const rec = this.records.get(identity);
    if (hit === 'expired') {
      this.cache.evict(identity);
      this.event('use-psk', identity, rec?.kind, 'failure', 'expired');
      void this.purge(identity).catch((err) =>
        this.o.logger?.warn('purge of an expired credential failed', {
          credentialId: identity,
          error: (err as Error).message,
        }),
      );
      return undefined;
    }
    this.event('use-psk', identity, rec?.kind, 'success');
    return Buffer.from(hit);
  }

  // ---- removal -------------------------------------------------------------------------------

  /** Delete a credential: the SE key is destroyed (zeroised), the cache entry wiped. */
  async delete(credentialId: string): Promise<void> {
    const rec = this.records.get(credentialId);
    if (!rec) throw new SensitiveDataError('NOT_FOUND', `no credential '${credentialId}'`);
    await this.audited('delete', credentialId, rec.kind, () => this.remove(rec));
  }

  /** Purge every expired credential; returns how many went. */
  async purgeExpired(): Promise<number> {
    const now = this.now();
    let n = 0;
    for (const r of [...this.records.values()]) {
      if (r.expiresAt !== undefined && now >= r.expiresAt) {
        await this.purge(r.credentialId);
        n++;
      }
    }
    return n;
  }

  close(): void {
    this.cache.clear();
    this.records.clear();
  }

  // ---- internals -----------------------------------------------------------------------------

  private newRecord(kind: CredentialKind, meta: CredentialMetadata, seRef: string): CredentialRecord {
    if (!isPrintable(meta?.credentialId))
      throw new SensitiveDataError('INVALID_INPUT', 'credentialId must be 1-255 printable ASCII characters');
    if (this.records.has(meta.credentialId))
      throw new SensitiveDataError('EXISTS', `credential '${meta.credentialId}' already exists`);
    if (!isPrintable(meta.owner, 1024))
      throw new SensitiveDataError('INVALID_INPUT', 'owner must be 1-1024 printable ASCII characters');
    const targetIds = meta.targetIds ?? [];
    if (!Array.isArray(targetIds) || !targetIds.every((t) => isPrintable(t, 1024)))
      throw new SensitiveDataError('INVALID_INPUT', 'targetIds must be printable ASCII identifiers');
    if (meta.suid !== undefined && (!Number.isInteger(meta.suid) || meta.suid < 0))
      throw new SensitiveDataError('INVALID_INPUT', 'suid must be a non-negative integer');
    if (meta.expiresAt !== undefined && (!Number.isFinite(meta.expiresAt) || meta.expiresAt <= this.now())) {
      throw new SensitiveDataError(
        'INVALID_INPUT',
        `expiresAt for '${meta.credentialId}' must be a time in the future`,
      );
    }
    const rec: CredentialRecord = {
      credentialId: meta.credentialId,
      kind,
      owner: meta.owner,
      targetIds: [...targetIds],
      createdAt: this.now(),
      seRef,
    };
    if (meta.suid !== undefined) rec.suid = meta.suid;
    if (meta.expiresAt !== undefined) rec.expiresAt = meta.expiresAt;
    return rec;
  }

  /** Record after key: a crash in between leaves an orphan key that open() removes. */
  private async commitRecord(rec: CredentialRecord): Promise<CredentialRecord> {
    try {
      await this.o.se.writeCredential(`${RECORD_PREFIX}${rec.credentialId}`, Buffer.from(JSON.stringify(rec), 'utf8'));
    } catch (err) {
      await this.dropSeObject(rec).catch(() => undefined);
      throw err;
    }
    this.records.set(rec.credentialId, rec);
    if (pskKinds.includes(rec.kind))
      this.cache.set(rec.credentialId, await this.o.se.exportPskForTls(rec.seRef), rec.expiresAt);
    return rec;
  }

  private requireUsable(credentialId: string, kind?: CredentialKind): CredentialRecord {
    const rec = this.records.get(credentialId);
    if (!rec) throw new SensitiveDataError('NOT_FOUND', `no credential '${credentialId}'`);
    if (kind && rec.kind !== kind)
      throw new SensitiveDataError('WRONG_KIND', `credential '${credentialId}' is a ${rec.kind}, not a ${kind}`);
    if (rec.expiresAt !== undefined && this.now() >= rec.expiresAt) {
      this.cache.evict(credentialId);
      void this.purge(credentialId).catch(() => undefined);
      throw new SensitiveDataError(
        'EXPIRED',
        `credential '${credentialId}' expired at ${new Date(rec.expiresAt).toISOString()} and was purged`,
      );
    }
    return rec;
  }

  private async requireUsableAsync(credentialId: string, kind?: CredentialKind): Promise<CredentialRecord> {
    const rec = this.records.get(credentialId);
    try {
      return this.requireUsable(credentialId, kind);
    } catch (err) {
      if (err instanceof SensitiveDataError && err.code === 'EXPIRED' && rec) await this.purge(credentialId);
      throw err;
    }
  }

  private async purge(credentialId: string): Promise<void> {
    const rec = this.records.get(credentialId);
    if (!rec) return;
    await this.remove(rec);
    this.event('expire', credentialId, rec.kind, 'success');
    this.o.logger?.debug('purged an expired credential', { credentialId, kind: rec.kind });
  }

  private async remove(rec: CredentialRecord): Promise<void> {
    this.records.delete(rec.credentialId);
    this.cache.evict(rec.credentialId);
    await this.o.se.deleteCredential(`${RECORD_PREFIX}${rec.credentialId}`);
    await this.dropSeObject(rec);
  }

  private async dropSeObject(rec: CredentialRecord): Promise<void> {
    if (rec.seRef.startsWith(KEY_PREFIX)) {
      if (await this.o.se.getKey(rec.seRef)) await this.o.se.deleteKey(rec.seRef);
    } else {
      await this.o.se.deleteCredential(rec.seRef);
    }
  }

  private async audited<T>(
    op: CredentialAuditEvent['operation'],
    id: string,
    kind: CredentialKind,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      const r = await fn();
      this.event(op, id, kind, 'success');
      return r;
    } catch (err) {
      this.event(op, id, kind, 'failure', (err as { code?: string }).code ?? 'error');
      this.o.logger?.warn(`credential ${op} failed`, { credentialId: id, kind, code: (err as { code?: string }).code });
      throw err;
    }
  }

  private event(
    operation: CredentialAuditOperation,
    credentialId: string,
    kind: CredentialKind | undefined,
    outcome: 'success' | 'failure',
    reason?: string,
  ): void {
    const e: CredentialAuditEvent = { time: new Date(this.now()).toISOString(), operation, credentialId, outcome };
    if (kind) e.kind = kind;
    if (reason) e.reason = reason;
    try {
      this.o.audit?.(e);
    } catch {}
  }
}

type CredentialAuditOperation = CredentialAuditEvent['operation'];
