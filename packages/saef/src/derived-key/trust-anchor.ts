// The trust anchor (TA) of DerivedKey mode: on a request it has authorized, it hands a client C the
// identity DK.<TA_id>.<C_id>.<seq>.<random> and K_RS-C = P_SHA256(K_RS-TA, identity), so a constrained
// resource server that shares only K_RS-TA can derive the same key without per-client provisioning.
// The sequence counter is persisted before an identity is handed out: a restart never reissues one.
import { randomBytes } from 'node:crypto';
import type { Collection, Store } from '@m2msec/store';
import { SaefError, show } from '../lib/errors.js';
import { deriveClientKey } from './derive.js';
import { formatDerivedKeyIdentity } from './identity.js';
import { type DerivedKeyRevocation, signRevocation } from './revocation.js';

export interface DerivedKeyGrant {
  identity: string;
  /** K_RS-C, 32 bytes: hand it to the client over a protected channel only. */
  key: Buffer;
  sequenceNumber: bigint;
}

export interface TrustAnchorOptions {
  taId: string;
  /** K_RS-TA, shared with the resource server. */
  key: Uint8Array;
  /** Persistent counter state (key `seq:<taId>`) of this process; not with `shared`. */
  state?: Collection<{ next: string }>;
  /**
   * The counter as a row (key `seq:<taId>`) of `collection` in `store`, moved in a store transaction, so
   * TA instances sharing the store (MAF replicas on PostgreSQL) never hand out one number twice.
   */
  shared?: { store: Store; collection: string };
  /** The authorization decision for a client; anything but true refuses (fail closed). */
  authorize: (clientId: string) => boolean | Promise<boolean>;
  now?: () => number;
}

export class DerivedKeyTrustAnchor {
  #queue: Promise<unknown> = Promise.resolve();
  private constructor(
    private readonly o: TrustAnchorOptions,
    private readonly key: Buffer,
  ) {}

  static async open(o: TrustAnchorOptions): Promise<DerivedKeyTrustAnchor> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.taId)) throw new SaefError('INVALID_INPUT', `TA_id ${show(o.taId)} malformed`);
    if (!o.state === !o.shared) throw new SaefError('INVALID_INPUT', 'a trust anchor needs state or shared, not both');
    if (!(o.key instanceof Uint8Array) || o.key.length < 16) {
      throw new SaefError('INVALID_INPUT', 'K_RS-TA must be at least 16 bytes');
    }
    return new DerivedKeyTrustAnchor(o, Buffer.from(o.key));
  }

  get taId(): string {
    return this.o.taId;
  }

  /** Issues an identity and K_RS-C to an authorized client. Serialized, so counters never collide. */
  issue(clientId: string): Promise<DerivedKeyGrant> {
    const run = this.#queue.then(() => this.issueNow(clientId));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  private async issueNow(clientId: string): Promise<DerivedKeyGrant> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) {
      throw new SaefError('INVALID_INPUT', `C_id ${show(clientId)} must be 1-64 of [A-Za-z0-9_-]`);
    }
    if ((await this.o.authorize(clientId)) !== true) {
      throw new SaefError('DK_NOT_AUTHORIZED', `client ${show(clientId)} is not authorized by TA ${show(this.o.taId)}`);
    }
    const seq = await this.nextSequenceNumber();
    const identity = formatDerivedKeyIdentity({
      taId: this.o.taId,
      clientId,
      sequenceNumber: seq,
      random: randomBytes(16).toString('hex'),
    });
    return { identity, key: deriveClientKey(this.key, identity), sequenceNumber: seq };
  }

  /** Takes the next number; it is persisted as used before the identity is handed out. */
  private async nextSequenceNumber(): Promise<bigint> {
    const k = `seq:${this.o.taId}`;
    const take = async (state: Collection<{ next: string }>) => {
      const current = await state.get(k);
      const seq = current ? BigInt(current.next) : 1n;
      await state.put(k, { next: (seq + 1n).toString() });
      return seq;
    };
    if (this.o.state) return take(this.o.state);
    const { store, collection } = this.o.shared!;
    return store.transaction((tx) => take(tx.collection<{ next: string }>(collection)));
  }

  /** A revocation of sequence numbers, MAC'd under K_RS-TA, for the resource server. */
  revoke(sequenceNumbers: readonly bigint[]): DerivedKeyRevocation {
    if (sequenceNumbers.length === 0) throw new SaefError('INVALID_INPUT', 'nothing to revoke');
    return signRevocation(this.key, this.o.taId, sequenceNumbers, (this.o.now ?? Date.now)());
  }
}
