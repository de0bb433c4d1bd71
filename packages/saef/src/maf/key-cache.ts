// MAF-based SAEF, Entity B (TS-0003 8.2.2.3 steps 5-6): B spots the MAF-FQDN in psk_identity and
// retrieves Kc from that MAF (MAF Key Retrieval, 8.8.2.8). Node's pskCallback is synchronous, so the
// retrieval cannot happen inside the handshake: B serves Kc from this cache, which is filled
//   - ahead of the handshake: the MAF notifies B (a registered MAF client) that a key names it, and B
//     retrieves it (refresh) before the MAF answers A's Key Registration (packages/maf), or
//   - on a miss: the first handshake with an unknown Key Identifier fails, a retrieval starts in the
//     background, and A's retry (the client SDK retries once) finds the key.
// An expired Kc is refused and evicted (8.2.2.3: B fails the handshake once Kc has expired); a
// refresh that finds the key gone at the MAF (deregistered, target removed) evicts it.
import { parseKcKeyIdentifier } from '@m2msec/crypto';

export interface MafKeyRecord {
  kc: Uint8Array;
  /** ms since epoch. */
  expiresAt: number;
  /** Security Usage Identifier the MAF registered the key for (32: MAF-distributed SAEF key). */
  suid?: number;
  /** Entity A's AE-ID / CSE-ID as the MAF knows it, or its KmID. */
  entityId?: string;
}

/**
 * MAF Key Retrieval as B sees it (packages/maf implements it over a MAF Handshake). undefined: the MAF
 * holds no key for B under this identifier (never registered, deregistered, expired, not a target).
 */
export interface MafKeySource {
  retrieve(keyIdentifier: string): Promise<MafKeyRecord | undefined>;
}

export interface MafKeyCacheOptions {
  /** MAF FQDNs this CSE trusts; identities naming another MAF are refused. */
  mafFqdns: readonly string[];
  source?: MafKeySource;
  now?: () => number;
  onError?: (message: string) => void;
  /** A key left the cache without a replacement (expired, gone at the MAF, evicted). */
  onEvicted?: (identity: string) => void;
  /** After a failed or empty retrieval, handshake misses do not retrieve the same identity again for this long (ms); default 1000. */
  negativeCacheMs?: number;
}

export class MafKeyCache {
  readonly #keys = new Map<string, MafKeyRecord & { kc: Buffer }>();
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #missedAt = new Map<string, number>();
  readonly #fqdns: Set<string>;
  readonly #now: () => number;

  constructor(private readonly o: MafKeyCacheOptions) {
    this.#fqdns = new Set(o.mafFqdns.map((f) => f.toLowerCase()));
    this.#now = o.now ?? Date.now;
  }

  /** True when the identity is a Kc Key Identifier of a trusted MAF. */
  isMafIdentity(identity: string): boolean {
    try {
      return this.#fqdns.has(parseKcKeyIdentifier(identity).mafFqdn.toLowerCase());
    } catch {
      return false;
    }
  }

  /** True when an unexpired Kc is held for the identity. */
  has(identity: string): boolean {
    const hit = this.#keys.get(identity);
    return hit !== undefined && this.#now() < hit.expiresAt;
  }

  /** Synchronous lookup for the pskCallback; a miss starts a background retrieval. */
  lookup(identity: string): (MafKeyRecord & { kc: Buffer }) | undefined {
    if (!this.isMafIdentity(identity)) return undefined;
    const hit = this.#keys.get(identity);
    if (hit && this.#now() < hit.expiresAt) return hit;
    if (hit) this.evict(identity);
    const missed = this.#missedAt.get(identity);
    if (missed === undefined || this.#now() - missed >= (this.o.negativeCacheMs ?? 1000)) void this.prefetch(identity);
    return undefined;
  }

  /** Retrieves a key from the MAF into the cache unless held (deduplicated); resolves true when held. */
  prefetch(identity: string): Promise<boolean> {
    if (this.has(identity)) return Promise.resolve(true);
    return this.refresh(identity);
  }

  /**
   * Retrieves the key again (a notification from the MAF: registered, updated or deregistered). Found:
   * replaces the cached record; not found or failed: evicts it (fail closed). Resolves true when held.
   */
  refresh(identity: string): Promise<boolean> {
    const source = this.o.source;
    if (!source || !this.isMafIdentity(identity)) return Promise.resolve(false);
    const running = this.#inFlight.get(identity);
    if (running) return running;
    const p = source
      .retrieve(identity)
      .then((r) => {
        if (r && this.deliver(identity, r)) return true;
        this.#missedAt.set(identity, this.#now());
        this.evict(identity);
        return false;
      })
      .catch((e) => {
        this.#missedAt.set(identity, this.#now());
        this.evict(identity);
        this.o.onError?.(`MAF Key Retrieval for ${identity} failed: ${(e as Error).message}`);
        return false;
      })
      .finally(() => this.#inFlight.delete(identity));
    this.#inFlight.set(identity, p);
    return p;
  }

  /** A key the MAF delivered (push) or retrieved. Expired or empty records are ignored (false). */
  deliver(identity: string, r: MafKeyRecord): boolean {
    if (!this.isMafIdentity(identity) || !(r.expiresAt > this.#now()) || r.kc.length === 0) return false;
    this.#drop(identity);
    this.#keys.set(identity, { ...r, kc: Buffer.from(r.kc) });
    this.#missedAt.delete(identity);
    return true;
  }

  evict(identity: string): void {
    if (this.#drop(identity)) this.o.onEvicted?.(identity);
  }

  /** Wipes every key (shutdown). */
  clear(): void {
    for (const id of [...this.#keys.keys()]) this.#drop(id);
  }

  #drop(identity: string): boolean {
    const e = this.#keys.get(identity);
    if (!e) return false;
    e.kc.fill(0);
    this.#keys.delete(identity);
    return true;
  }
}
