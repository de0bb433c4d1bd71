// One prefetching key directory for every PSK a TLS/DTLS server serves from a remote or sealed source
// (GBA Ks_NAF over Zn, RSPF enrolment keys from the MEF, MAF Kc): Node's pskCallback is synchronous
// (DESIGN section 3), so a handshake only reads what is held; a miss refuses that handshake and starts a
// background fetch for the client's retry. Shared here so each role does not grow its own cache:
//  - O(1) per identity: a lookup is one map read; an identity the source can never hold (`accepts` false:
//    not a B-TID, a KeID of an untrusted MEF, ...) is refused without any fetch;
//  - in-flight dedupe: concurrent misses on one identity share one fetch; at most `maxConcurrentFetches`
//    run, further misses are only refused;
//  - negative cache: a failed or empty fetch is not repeated for `negativeCacheMs` (an attacker cycling
//    unknown identities costs one fetch per identity per window, never a scan or mass decryption);
//  - expiry: an expired key is never served, and is evicted when seen;
//  - eviction hook: every key that leaves (expiry, replacement, delete, the size bound, clear) goes through
//    `onEvict` exactly once, where the owner zeroises it.

export interface PrefetchingKeyDirectoryOptions<V> {
  /** Fetches one identity's entry; undefined when the source holds none. Called only for accepted identities. */
  fetch(identity: string): Promise<V | undefined>;
  /** When an entry stops being usable (ms since the epoch); undefined: no expiry of its own. */
  expiresAt(entry: V): number | undefined;
  /** Whether the source could ever hold this identity (a cheap syntactic check); default: every identity. */
  accepts?(identity: string): boolean;
  /** Runs before a fetched entry becomes visible (e.g. binding its credential); a throw discards it. */
  onFetched?(identity: string, entry: V): Promise<void>;
  /** An entry left the directory (zeroise its key here), and why. */
  onEvict?(identity: string, entry: V, reason: EvictionReason): void;
  /** A fetch failed (never given key material). */
  onFetchError?(identity: string, error: unknown): void;
  /** Most entries held; the oldest leaves first. Default 10,000. */
  maxEntries?: number;
  /** After a failed or empty fetch, the same identity is not fetched again for this long. Default 2,000 ms. */
  negativeCacheMs?: number;
  /** Most fetches in flight; misses beyond it are refused without a fetch. Default 32. */
  maxConcurrentFetches?: number;
  now?(): number;
}

/** Why an entry left: past its expiry, replaced by a newer one, deleted, pushed out by the size bound, or clear(). */
export type EvictionReason = 'expired' | 'replaced' | 'deleted' | 'bound' | 'cleared' | 'discarded';

export class PrefetchingKeyDirectory<V> {
  readonly #entries = new Map<string, V>();
  readonly #inFlight = new Map<string, Promise<V | undefined>>();
  readonly #failedAt = new Map<string, number>();
  readonly #o: PrefetchingKeyDirectoryOptions<V>;
  readonly #maxEntries: number;
  readonly #negativeMs: number;
  readonly #maxFetches: number;
  readonly #now: () => number;
  /** Fetches started (tests, metrics). */
  fetches = 0;

  constructor(o: PrefetchingKeyDirectoryOptions<V>) {
    this.#o = o;
    this.#maxEntries = o.maxEntries ?? 10_000;
    this.#negativeMs = o.negativeCacheMs ?? 2000;
    this.#maxFetches = o.maxConcurrentFetches ?? 32;
    this.#now = o.now ?? Date.now;
  }

  accepts(identity: string): boolean {
    return this.#o.accepts ? this.#o.accepts(identity) : true;
  }

  /** The unexpired entry held for `identity`; never fetches. An expired entry is evicted. */
  peek(identity: string): V | undefined {
    const e = this.#entries.get(identity);
    if (e === undefined) return undefined;
    const until = this.#o.expiresAt(e);
    if (until !== undefined && until <= this.#now()) {
      this.#drop(identity, e, 'expired');
      return undefined;
    }
    return e;
  }

  /** For a pskCallback: the held entry, or undefined and a background fetch (if accepted and not negative-cached). */
  lookup(identity: string): V | undefined {
    if (!this.accepts(identity)) return undefined;
    const e = this.peek(identity);
    if (e !== undefined) return e;
    void this.prepare(identity);
    return undefined;
  }

  /**
   * Resolves true once the entry is held, false when it cannot be now (not accepted, negative-cached, too
   * many fetches in flight, nothing at the source, or the fetch failed). Never rejects.
   */
  prepare(identity: string): Promise<boolean> {
    if (!this.accepts(identity)) return Promise.resolve(false);
    if (this.peek(identity) !== undefined) return Promise.resolve(true);
    const running = this.#inFlight.get(identity);
    if (running)
      return running.then(
        (e) => e !== undefined,
        () => false,
      );
    const failed = this.#failedAt.get(identity);
    if (failed !== undefined && this.#now() - failed < this.#negativeMs) return Promise.resolve(false);
    if (this.#inFlight.size >= this.#maxFetches) return Promise.resolve(false);
    return this.fetch(identity).then(
      (e) => e !== undefined,
      () => false,
    );
  }

  /**
   * Fetches now (shared with a fetch already running for it), ignoring the negative cache: for an
   * announcement that the source has just been given the key. Rejects when the fetch fails.
   */
  fetch(identity: string): Promise<V | undefined> {
    if (!this.accepts(identity)) return Promise.resolve(undefined);
    const running = this.#inFlight.get(identity);
    if (running) return running;
    this.fetches++;
    const p = (async () => {
      try {
        const e = await this.#o.fetch(identity);
        const until = e === undefined ? undefined : this.#o.expiresAt(e);
        if (e === undefined || (until !== undefined && until <= this.#now())) {
          if (e !== undefined) this.#o.onEvict?.(identity, e, 'discarded');
          this.#remember(identity);
          return undefined;
        }
        try {
          await this.#o.onFetched?.(identity, e);
        } catch (err) {
          this.#o.onEvict?.(identity, e, 'discarded');
          throw err;
        }
        this.set(identity, e);
        return e;
      } catch (err) {
        this.#remember(identity);
        this.#o.onFetchError?.(identity, err);
        throw err;
      } finally {
        this.#inFlight.delete(identity);
      }
    })();
    this.#inFlight.set(identity, p);
    return p;
  }

  /** Holds an entry (a push from the source, or a fetch); the one it replaces is evicted. */
  set(identity: string, entry: V): void {
    const old = this.#entries.get(identity);
    if (old !== undefined) {
      this.#entries.delete(identity);
      if (old !== entry) this.#o.onEvict?.(identity, old, 'replaced');
    }
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#drop(oldest, this.#entries.get(oldest)!, 'bound');
    }
    this.#entries.set(identity, entry);
    this.#failedAt.delete(identity);
  }

  /** Evicts one entry; true when one was held. */
  delete(identity: string): boolean {
    const e = this.#entries.get(identity);
    if (e === undefined) return false;
    this.#drop(identity, e, 'deleted');
    return true;
  }

  #drop(identity: string, e: V, reason: EvictionReason): void {
    this.#entries.delete(identity);
    this.#o.onEvict?.(identity, e, reason);
  }

  /** Evicts every entry and forgets the misses (shutdown). */
  clear(): void {
    for (const [id, e] of [...this.#entries]) this.#drop(id, e, 'cleared');
    this.#failedAt.clear();
  }

  /** Forgets a remembered miss (the source says the identity now exists). */
  forgetMiss(identity: string): void {
    this.#failedAt.delete(identity);
  }

  get size(): number {
    return this.#entries.size;
  }

  #remember(identity: string): void {
    this.#failedAt.delete(identity);
    this.#failedAt.set(identity, this.#now());
    if (this.#failedAt.size > this.#maxEntries) this.#failedAt.delete(this.#failedAt.keys().next().value as string);
  }
}
