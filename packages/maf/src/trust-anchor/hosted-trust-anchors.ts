// DerivedKey trust anchors hosted by the MAF (DESIGN 3; @m2msec/saef DerivedKeyTrustAnchor): K_RS-TA
// is an SE key (maf/dk-ta/<TA_id>, never wrapped out); the TA gets its bytes only when it opens, the
// same way the resource server (IN-CSE) loads its copy. Issuing and revocation are Mmaf-style
// resources reached over a MAF Handshake (routes/trust-anchor.ts); the sequence counter lives in
// the store and moves in a store transaction, so MAF replicas sharing a PostgreSQL store may host the
// same TA (docs/scale-out.md).
import { DerivedKeyTrustAnchor } from '@m2msec/saef';
import type { SecureEnvironment } from '@m2msec/secure-environment';
import { MafError } from '../lib/errors.js';
import type { MafStore } from '../store/maf-store.js';
import type { TrustAnchorRecord } from '../store/records.js';

export const TA_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const taKeyId = (taId: string): string => `maf/dk-ta/${taId}`;

export class HostedTrustAnchors {
  readonly #open = new Map<string, Promise<DerivedKeyTrustAnchor>>();

  constructor(
    private readonly se: SecureEnvironment,
    private readonly store: MafStore,
  ) {}

  /** Creates or replaces a TA: K_RS-TA into the SE (when given), the record into the store. */
  async put(rec: TrustAnchorRecord, key?: Uint8Array): Promise<void> {
    const existing = await this.se.getKey(taKeyId(rec.taId));
    if (!existing && !key) throw new MafError('BAD_REQUEST', `trust anchor '${rec.taId}' is new: its key is required`);
    if (key) {
      if (existing) await this.se.deleteKey(taKeyId(rec.taId));
      await this.se.importKey(
        { id: taKeyId(rec.taId), algorithm: 'HMAC', usages: ['mac', 'tls-psk'], label: `K_RS-TA ${rec.taId}` },
        key,
      );
    }
    await this.store.trustAnchors.put(rec.taId, rec);
    this.#open.delete(rec.taId);
  }

  async delete(taId: string): Promise<boolean> {
    const had = await this.store.trustAnchors.delete(taId);
    if (await this.se.getKey(taKeyId(taId))) await this.se.deleteKey(taKeyId(taId));
    this.#open.delete(taId);
    return had;
  }

  /** The TA record, or 4004. */
  async record(taId: string): Promise<TrustAnchorRecord> {
    if (!TA_ID.test(taId)) throw new MafError('BAD_REQUEST', 'TA_id must be 1-64 of [A-Za-z0-9_-]');
    const rec = await this.store.trustAnchors.get(taId);
    if (!rec || !(await this.se.getKey(taKeyId(taId)))) throw new MafError('NOT_FOUND', `no trust anchor '${taId}'`);
    return rec;
  }

  /** Issues an identity and K_RS-C under C_id (the route has mapped the MAF client to it). */
  async issue(rec: TrustAnchorRecord, cId: string) {
    return (await this.anchor(rec.taId)).issue(cId);
  }

  /** A revocation MAC'd under K_RS-TA. */
  async revoke(rec: TrustAnchorRecord, sequenceNumbers: readonly bigint[]) {
    return (await this.anchor(rec.taId)).revoke(sequenceNumbers);
  }

  private anchor(taId: string): Promise<DerivedKeyTrustAnchor> {
    let p = this.#open.get(taId);
    if (!p) {
      p = (async () => {
        const key = Buffer.from(await this.se.exportPskForTls(taKeyId(taId)));
        try {
          return await DerivedKeyTrustAnchor.open({
            taId,
            key,
            // A transaction per number: MAF instances sharing the store never issue one number twice.
            shared: { store: this.store.store, collection: 'maf-dk-state' },
            // The TA's own gate: C_id must be one the administrating stakeholder mapped a client to now.
            authorize: async (cId) =>
              Object.values((await this.store.trustAnchors.get(taId))?.clients ?? {}).includes(cId),
          });
        } finally {
          key.fill(0);
        }
      })();
      p.catch(() => this.#open.delete(taId));
      this.#open.set(taId, p);
    }
    return p;
  }
}
