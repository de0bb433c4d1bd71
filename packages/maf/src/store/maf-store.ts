// The MAF's state over @m2msec/store collections, plus the in-memory Km directory the synchronous TLS
// pskCallback reads (DESIGN 3). Every write commits before the caller answers; Km and distributed
// keys are sealed by the KeyVault. Several MAF instances may share one PostgreSQL database: an
// instance that misses a KmID reloads the directory in the background and the client's retry succeeds.
import { type Collection, type Store, sortableNumber } from '@m2msec/store';
import type { KeyVault } from '../lib/vault.js';
import type {
  ClientRegistration,
  KeyRegistration,
  MafCredentialRecord,
  TrustAnchorGrant,
  TrustAnchorRecord,
} from './records.js';

export interface KmEntry {
  key: Buffer;
  clientId: string;
  credentialId: string;
  expiresAt?: number;
}

export const kmCredentialId = (kmId: string): string => `km:${kmId.toLowerCase()}`;
/** Store event channel: a Km was added, replaced or deleted (payload: KmID, lower case). */
const KM_CHANNEL = 'maf-km';
export const regIndexKey = (clientId: string, adminFQDN: string): string => `${clientId}|${adminFQDN.toLowerCase()}`;
export const certificateCredentialId = (san: string): string => `cert:${san}`;

/** How many expired entries one purge step deletes before it looks again (bounded reads). */
const PURGE_BATCH = 500;
const byEt = { et: { key: (r: { et: number }) => sortableNumber(r.et) } };
// Km credentials with an expiry, ordered by it: the purge walks only those that expired (docs/storage.md).
const credentialIndexes = {
  expiresAt: {
    key: (c: MafCredentialRecord) =>
      c.expiresAt === undefined || !c.credentialId.startsWith('km:') ? undefined : sortableNumber(c.expiresAt),
  },
};

export class MafStore {
  readonly credentials: Collection<MafCredentialRecord>;
  readonly clientRegs: Collection<ClientRegistration>;
  /** '<clientId>|<adminFQDN lower case>' -> mafClientRegID: one registration per client and stakeholder. */
  readonly clientRegIndex: Collection<{ mafClientRegID: string }>;
  readonly keyRegs: Collection<KeyRegistration>;
  readonly trustAnchors: Collection<TrustAnchorRecord>;
  readonly trustAnchorGrants: Collection<TrustAnchorGrant>;
  readonly trustAnchorState: Collection<{ next: string }>;
  readonly #km = new Map<string, KmEntry>();
  #reloading: Promise<void> | undefined;

  private constructor(
    readonly store: Store,
    readonly vault: KeyVault,
    private readonly now: () => number,
  ) {
    this.credentials = store.collection<MafCredentialRecord>('maf-credentials', { indexes: credentialIndexes });
    this.clientRegs = store.collection<ClientRegistration>('maf-client-regs', { indexes: byEt });
    this.clientRegIndex = store.collection<{ mafClientRegID: string }>('maf-client-reg-index');
    this.keyRegs = store.collection<KeyRegistration>('maf-key-regs', { indexes: byEt });
    this.trustAnchors = store.collection<TrustAnchorRecord>('maf-trust-anchors');
    this.trustAnchorGrants = store.collection<TrustAnchorGrant>('maf-dk-grants');
    this.trustAnchorState = store.collection<{ next: string }>('maf-dk-state');
  }

  static async open(store: Store, vault: KeyVault, now: () => number = Date.now): Promise<MafStore> {
    const s = new MafStore(store, vault, now);
    // Listen before the first load: a change committed in between is both loaded and heard.
    s.#unsubscribe = await store.events.subscribe(KM_CHANNEL, (kmId) => s.#heardKm(kmId));
    await s.reloadKm();
    return s;
  }

  #unsubscribe: (() => void) | undefined;

  /**
   * Another instance (or this one) changed a Km: reread that one (null: events may have been missed,
   * reread all). Without this a Km deleted at one MAF replica kept opening handshakes at the others.
   */
  #heardKm(kmId: string | null): void {
    if (kmId === null) {
      void this.reloadKm().catch(() => undefined);
      return;
    }
    // Rereads of one KmID may finish out of order: only the one started by the latest event applies.
    this.#touched.add(kmId);
    const gen = (this.#heard.get(kmId) ?? 0) + 1;
    this.#heard.set(kmId, gen);
    const latest = () => this.#heard.get(kmId) === gen;
    void (async () => {
      const c = await this.credentials.get(kmCredentialId(kmId));
      const key = c?.sealedKm && c.kmId ? await this.vault.open('Km', c.credentialId, c.sealedKm) : undefined;
      if (!latest()) key?.fill(0);
      else if (c && key) {
        this.#setKm(c, key);
        key.fill(0);
      } else this.#dropKm(kmId);
    })()
      .catch(() => {
        if (latest()) this.#dropKm(kmId); // fail closed: a Km that cannot be reread is not offered
      })
      .finally(() => {
        if (latest()) this.#heard.delete(kmId);
      });
  }

  readonly #loading = new Set<string>();

  /** Loads one KmID in the background (the client's retry finds it); at most 1,000 reads in flight. */
  #loadOne(kmId: string): void {
    if (this.#loading.has(kmId) || this.#loading.size >= 1000) return;
    this.#loading.add(kmId);
    void (async () => {
      const c = await this.credentials.get(kmCredentialId(kmId));
      if (!c?.sealedKm || !c.kmId || this.#km.has(kmId) || this.#heard.has(kmId)) return;
      const key = await this.vault.open('Km', c.credentialId, c.sealedKm);
      if (!this.#km.has(kmId) && !this.#heard.has(kmId)) this.#setKm(c, key);
      key.fill(0);
    })()
      .catch(() => undefined)
      .finally(() => this.#loading.delete(kmId));
  }

  readonly #heard = new Map<string, number>();
  /** KmIDs heard of while a full reload runs: the reload's older reading must not overwrite them. */
  #touched = new Set<string>();

  #dropKm(kmId: string): void {
    const id = kmId.toLowerCase();
    this.#km.get(id)?.key.fill(0);
    this.#km.delete(id);
  }

  // ---- Km directory (synchronous, for the MAF Handshake) --------------------------------------

  /** Km for a KmID (case-insensitive relative part, 10.6); undefined when unknown or expired. */
  kmLookup(kmId: string): KmEntry | undefined {
    const e = this.#km.get(kmId.toLowerCase());
    if (!e) {
      // Another instance may have added it: read that one KmID by key (never every Km: an unknown
      // identity costs one indexed read, not a scan and mass decryption), once at a time per KmID.
      this.#loadOne(kmId.toLowerCase());
      return undefined;
    }
    if (e.expiresAt !== undefined && this.now() >= e.expiresAt) return undefined;
    return e;
  }

  /** Re-reads every Km from the store (deduplicated). */
  reloadKm(): Promise<void> {
    this.#reloading ??= (async () => {
      this.#touched = new Set();
      const next = new Map<string, KmEntry>();
      for (const { value: c } of await this.credentials.list('km:')) {
        if (!c.sealedKm || !c.kmId) continue;
        next.set(c.kmId.toLowerCase(), {
          key: await this.vault.open('Km', c.credentialId, c.sealedKm),
          clientId: c.clientId,
          credentialId: c.credentialId,
          ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
        });
      }
      for (const id of this.#touched) {
        next.get(id)?.key.fill(0);
        next.delete(id);
        const current = this.#km.get(id);
        if (current) next.set(id, current);
      }
      for (const [id, old] of this.#km) if (next.get(id)?.key !== old.key) old.key.fill(0);
      this.#km.clear();
      for (const [id, e] of next) this.#km.set(id, e);
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  /** A Km credential record with Km sealed, not yet committed. */
  async sealKm(
    r: Omit<MafCredentialRecord, 'credentialId' | 'kind' | 'sealedKm'> & { kmId: string },
    km: Uint8Array,
  ): Promise<MafCredentialRecord> {
    const credentialId = kmCredentialId(r.kmId);
    return { ...r, credentialId, kind: 'km', sealedKm: await this.vault.seal('Km', credentialId, km) };
  }

  /** Adds or replaces a Km credential; committed, then visible to handshakes. */
  async putKm(
    r: Omit<MafCredentialRecord, 'credentialId' | 'kind' | 'sealedKm'> & { kmId: string },
    km: Uint8Array,
  ): Promise<MafCredentialRecord> {
    const rec = await this.sealKm(r, km);
    await this.store.transaction(async (tx) => {
      await tx.collection<MafCredentialRecord>('maf-credentials').put(rec.credentialId, rec);
      await tx.events.publish(KM_CHANNEL, rec.kmId!.toLowerCase());
    });
    this.#setKm(rec, km);
    return rec;
  }

  async deleteCredential(credentialId: string): Promise<boolean> {
    const rec = await this.credentials.get(credentialId);
    if (!rec) return false;
    await this.store.transaction(async (tx) => {
      await tx.collection<MafCredentialRecord>('maf-credentials').delete(credentialId);
      if (rec.kmId) await tx.events.publish(KM_CHANNEL, rec.kmId.toLowerCase());
    });
    if (rec.kmId) this.#dropKm(rec.kmId);
    return true;
  }

  /** The live registration of a client for an administrating stakeholder. */
  async registrationOf(clientId: string, adminFQDN: string): Promise<ClientRegistration | undefined> {
    const ix = await this.clientRegIndex.get(regIndexKey(clientId, adminFQDN));
    const reg = ix ? await this.clientRegs.get(ix.mafClientRegID) : undefined;
    return reg && reg.et > this.now() ? reg : undefined;
  }

  /** Live registrations of a client (one per administrating stakeholder). */
  async registrationsOf(clientId: string): Promise<ClientRegistration[]> {
    const out: ClientRegistration[] = [];
    for (const { value } of await this.clientRegIndex.list(`${clientId}|`)) {
      const reg = await this.clientRegs.get(value.mafClientRegID);
      if (reg && reg.et > this.now()) out.push(reg);
    }
    return out;
  }

  /**
   * Commits a client registration in one transaction: the Km a MEF provisioned (if any), the
   * registration, its index entry, and the removal of the registration it replaces. Nothing is
   * visible unless all of it is.
   */
  async commitRegistration(
    reg: ClientRegistration,
    km?: { record: MafCredentialRecord; key: Uint8Array },
  ): Promise<void> {
    const key = regIndexKey(reg.clientId, reg.adminFQDN);
    await this.store.transaction(async (tx) => {
      const index = tx.collection<{ mafClientRegID: string }>('maf-client-reg-index');
      const regs = tx.collection<ClientRegistration>('maf-client-regs');
      if (km) {
        await tx.collection<MafCredentialRecord>('maf-credentials').put(km.record.credentialId, km.record);
        await tx.events.publish(KM_CHANNEL, km.record.kmId!.toLowerCase());
      }
      const old = await index.get(key);
      if (old && old.mafClientRegID !== reg.mafClientRegID) await regs.delete(old.mafClientRegID);
      await regs.put(reg.mafClientRegID, reg);
      await index.put(key, { mafClientRegID: reg.mafClientRegID });
    });
    if (km) this.#setKm(km.record, km.key);
  }

  /** Deletes a registration and its index entry together. */
  async deleteRegistration(reg: ClientRegistration): Promise<void> {
    const key = regIndexKey(reg.clientId, reg.adminFQDN);
    await this.store.transaction(async (tx) => {
      const index = tx.collection<{ mafClientRegID: string }>('maf-client-reg-index');
      await tx.collection<ClientRegistration>('maf-client-regs').delete(reg.mafClientRegID);
      if ((await index.get(key))?.mafClientRegID === reg.mafClientRegID) await index.delete(key);
    });
  }

  /**
   * Deletes expired client and key registrations and expired Km credentials; returns how many went.
   * Each walks an index ordered by expiry up to now: it reads what it deletes, not the collections.
   */
  async purgeExpired(): Promise<number> {
    const below = sortableNumber(this.now() + 1);
    const sweep = async <T>(
      c: Collection<T>,
      index: string,
      drop: (e: { key: string; value: T }) => Promise<boolean>,
    ) => {
      let n = 0;
      for (;;) {
        const batch = await c.range(index, { below, limit: PURGE_BATCH });
        for (const e of batch) if (await drop(e)) n++;
        if (batch.length < PURGE_BATCH) return n;
      }
    };
    let n = await sweep(this.keyRegs, 'et', ({ key }) => this.keyRegs.delete(key));
    n += await sweep(this.clientRegs, 'et', async ({ value }) => {
      await this.deleteRegistration(value);
      return true;
    });
    n += await sweep(this.credentials, 'expiresAt', ({ key }) => this.deleteCredential(key));
    return n;
  }

  #setKm(rec: MafCredentialRecord, km: Uint8Array): void {
    const id = rec.kmId!.toLowerCase();
    this.#km.get(id)?.key.fill(0);
    this.#km.set(id, {
      key: Buffer.from(km),
      clientId: rec.clientId,
      credentialId: rec.credentialId,
      ...(rec.expiresAt !== undefined ? { expiresAt: rec.expiresAt } : {}),
    });
  }

  close(): void {
    this.#unsubscribe?.();
    for (const e of this.#km.values()) e.key.fill(0);
    this.#km.clear();
  }
}
