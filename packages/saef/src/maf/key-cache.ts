// MAF-based SAEF, Entity B (TS-0003 8.2.2.3 steps 5-6): B spots the MAF-FQDN in psk_identity and
// retrieves Kc from that MAF (MAF Key Retrieval, 8.8.2.8). Node's pskCallback is synchronous, so the
// retrieval cannot happen inside the handshake: B serves Kc from this cache, which is filled
//   - ahead of the handshake: the MAF notifies B (a registered MAF client) that a key names it, and B
//     retrieves it (refresh) before the MAF answers A's Key Registration (packages/maf), or
//   - on a miss: the first handshake with an unknown Key Identifier fails, a retrieval starts in the
//     background, and A's retry (the client SDK retries once) finds the key.
// An expired Kc is refused and evicted (8.2.2.3: B fails the handshake once Kc has expired); a
// refresh that finds the key gone at the MAF (deregistered, target removed) evicts it.
import { PrefetchingKeyDirectory, parseKcKeyIdentifier } from '@m2msec/crypto';

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

/** The caching (dedupe, negative cache, expiry, zeroising eviction) is @m2msec/crypto's PrefetchingKeyDirectory. */
export class MafKeyCache {
  readonly #dir: PrefetchingKeyDirectory<MafKeyRecord & { kc: Buffer }>;
  readonly #fqdns: Set<string>;
  readonly #now: () => number;

  constructor(private readonly o: MafKeyCacheOptions) {
    this.#fqdns = new Set(o.mafFqdns.map((f) => f.toLowerCase()));
    this.#now = o.now ?? Date.now;
    this.#dir = new PrefetchingKeyDirectory({
      accepts: (identity) => o.source !== undefined && this.isMafIdentity(identity),
      fetch: async (identity) => {
        const r = await o.source!.retrieve(identity);
        if (!r || !(r.expiresAt > this.#now()) || r.kc.length === 0) return undefined;
        return { ...r, kc: Buffer.from(r.kc) };
      },
      expiresAt: (r) => r.expiresAt,
      onEvict: (identity, r, reason) => {
        r.kc.fill(0);
        // Left without a replacement: expired when seen, or pushed out by the size bound.
        if (reason === 'expired' || reason === 'bound') o.onEvicted?.(identity);
      },
      onFetchError: (identity, e) => o.onError?.(`MAF Key Retrieval for ${identity} failed: ${(e as Error).message}`),
      negativeCacheMs: o.negativeCacheMs ?? 1000,
      now: this.#now,
    });
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
    const hit = this.#dir.peek(identity);
    return hit !== undefined && this.#now() < hit.expiresAt;
  }

  /** Synchronous lookup for the pskCallback; a miss starts a background retrieval. */
  lookup(identity: string): (MafKeyRecord & { kc: Buffer }) | undefined {
    if (!this.isMafIdentity(identity)) return undefined;
    return this.#dir.lookup(identity);
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
    if (!this.o.source || !this.isMafIdentity(identity)) return Promise.resolve(false);
    return this.#dir.fetch(identity).then(
      (r) => {
        if (r) return true;
        this.evict(identity);
        return false;
      },
      () => {
        this.evict(identity);
        return false;
      },
    );
  }

  /** A key the MAF delivered (push) or retrieved. Expired or empty records are ignored (false). */
  deliver(identity: string, r: MafKeyRecord): boolean {
    if (!this.isMafIdentity(identity) || !(r.expiresAt > this.#now()) || r.kc.length === 0) return false;
    this.#dir.set(identity, { ...r, kc: Buffer.from(r.kc) });
    return true;
  }

  evict(identity: string): void {
    if (this.#dir.delete(identity)) this.o.onEvicted?.(identity);
  }

  /** Wipes every key (shutdown). */
  clear(): void {
    this.#dir.clear();
  }
}
