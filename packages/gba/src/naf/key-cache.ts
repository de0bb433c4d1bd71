// Ks_NAF in NAF memory for TLS-PSK. Node's pskCallback is synchronous (DESIGN section 3), so the key a
// handshake needs must already be here. Three ways in:
//  - prefetch(btid) when the B-TID is announced before the handshake (e.g. in an enrolment request);
//  - gateNafHandshakes: the B-TID read from the ClientKeyExchange, the handshake held until prepare() ends;
//  - a miss in pskCallback refuses that handshake (unknown_psk_identity) and starts a background Zn
//    fetch, so the device's next attempt finds the key.
import { GbaError } from '../lib/errors.js';
import { parseBtid } from '../lib/validate.js';
import type { NafKey, ZnClient } from './zn-client.js';

export interface NafKeyCacheOptions {
  readonly zn: Pick<ZnClient, 'fetchKsNaf'>;
  /** Most keys held; the oldest is dropped (and zeroised) beyond it. Default 10000. */
  readonly maxEntries?: number;
  /** After a failed background fetch, wait this long before fetching that B-TID again. Default 2000 ms. */
  readonly retryAfterMs?: number;
  /** Most background fetches in flight (misses beyond it are only refused). Default 32. */
  readonly maxConcurrentFetches?: number;
  readonly now?: () => number;
  /** Told about background fetch failures (never with key material). */
  readonly onFetchError?: (btid: string, error: unknown) => void;
}

export class NafKeyCache {
  readonly #keys = new Map<string, NafKey>();
  readonly #inFlight = new Map<string, Promise<NafKey>>();
  readonly #failedAt = new Map<string, number>();
  readonly #o: Required<Omit<NafKeyCacheOptions, 'onFetchError'>> & Pick<NafKeyCacheOptions, 'onFetchError'>;

  constructor(options: NafKeyCacheOptions) {
    this.#o = {
      zn: options.zn,
      maxEntries: options.maxEntries ?? 10_000,
      retryAfterMs: options.retryAfterMs ?? 2000,
      maxConcurrentFetches: options.maxConcurrentFetches ?? 32,
      now: options.now ?? Date.now,
      ...(options.onFetchError ? { onFetchError: options.onFetchError } : {}),
    };
  }

  /** Synchronous: the unexpired key for a B-TID, if held. */
  lookup(btid: string): NafKey | undefined {
    const k = this.#keys.get(btid);
    if (k && k.keyExpiry.getTime() <= this.#o.now()) {
      this.delete(btid);
      return undefined;
    }
    return k;
  }

  /** Fetches (once, concurrent callers share it) and caches Ks_NAF for a B-TID. */
  prefetch(btid: string): Promise<NafKey> {
    const held = this.lookup(btid);
    if (held) return Promise.resolve(held);
    const pending = this.#inFlight.get(btid);
    if (pending) return pending;
    const p = this.#o.zn
      .fetchKsNaf(btid)
      .then((key) => {
        this.#put(key);
        this.#failedAt.delete(btid);
        return key;
      })
      .finally(() => this.#inFlight.delete(btid));
    this.#inFlight.set(btid, p);
    return p;
  }

  /**
   * For tls.createServer({ pskCallback }): Ks_NAF for the PSK identity (= B-TID), or null, which fails the
   * handshake; on a miss a background fetch is started for the device's retry.
   */
  readonly pskCallback = (_socket: unknown, identity: string): Buffer | null => {
    const key = this.lookup(identity);
    if (key) return key.ksNaf;
    this.#fetchInBackground(identity);
    return null;
  };

  delete(btid: string): boolean {
    const k = this.#keys.get(btid);
    k?.ksNaf.fill(0);
    return this.#keys.delete(btid);
  }

  clear(): void {
    for (const k of this.#keys.values()) k.ksNaf.fill(0);
    this.#keys.clear();
  }

  get size(): number {
    return this.#keys.size;
  }

  /**
   * For a PSK identity seen on the wire: resolves true once Ks_NAF is held, false when it cannot be (not a
   * B-TID, recently failed, too many fetches in flight, or the fetch failed). Never rejects.
   */
  prepare(identity: string): Promise<boolean> {
    if (this.lookup(identity)) return Promise.resolve(true);
    try {
      parseBtid(identity);
    } catch {
      return Promise.resolve(false); // not a B-TID: nothing to ask the BSF
    }
    const pending = this.#inFlight.get(identity);
    if (pending)
      return pending.then(
        () => true,
        () => false,
      );
    if (this.#inFlight.size >= this.#o.maxConcurrentFetches) return Promise.resolve(false);
    const failed = this.#failedAt.get(identity);
    if (failed !== undefined && this.#o.now() - failed < this.#o.retryAfterMs) return Promise.resolve(false);
    return this.prefetch(identity).then(
      () => true,
      (e: unknown) => {
        if (this.#failedAt.size >= this.#o.maxEntries) this.#failedAt.clear();
        this.#failedAt.set(identity, this.#o.now());
        this.#o.onFetchError?.(identity, e instanceof GbaError ? e : new Error('Zn fetch failed'));
        return false;
      },
    );
  }

  #fetchInBackground(identity: string): void {
    void this.prepare(identity);
  }

  #put(key: NafKey): void {
    this.delete(key.btid);
    while (this.#keys.size >= this.#o.maxEntries) {
      const oldest = this.#keys.keys().next().value as string;
      this.delete(oldest);
    }
    this.#keys.set(key.btid, key);
  }
}
