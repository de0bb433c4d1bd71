// Ks_NAF in NAF memory for TLS-PSK. Node's pskCallback is synchronous (DESIGN section 3), so the key a
// handshake needs must already be here. Three ways in:
//  - prefetch(btid) when the B-TID is announced before the handshake (e.g. in an enrolment request);
//  - gateNafHandshakes: the B-TID read from the ClientKeyExchange, the handshake held until prepare() ends;
//  - a miss in pskCallback refuses that handshake (unknown_psk_identity) and starts a background Zn
//    fetch, so the device's next attempt finds the key.
// The caching itself (dedupe, negative cache, expiry, zeroising eviction) is the shared
// PrefetchingKeyDirectory of @m2msec/crypto; this class adds what is GBA's: only B-TIDs are fetched.
import { PrefetchingKeyDirectory } from '@m2msec/crypto';
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
  readonly #dir: PrefetchingKeyDirectory<NafKey>;

  constructor(options: NafKeyCacheOptions) {
    const onFetchError = options.onFetchError;
    this.#dir = new PrefetchingKeyDirectory<NafKey>({
      fetch: (btid) => options.zn.fetchKsNaf(btid),
      expiresAt: (k) => k.keyExpiry.getTime(),
      // Not a B-TID: nothing to ask the BSF.
      accepts: (identity) => {
        try {
          parseBtid(identity);
          return true;
        } catch {
          return false;
        }
      },
      onEvict: (_btid, k) => k.ksNaf.fill(0),
      ...(onFetchError
        ? { onFetchError: (btid, e) => onFetchError(btid, e instanceof GbaError ? e : new Error('Zn fetch failed')) }
        : {}),
      maxEntries: options.maxEntries ?? 10_000,
      negativeCacheMs: options.retryAfterMs ?? 2000,
      maxConcurrentFetches: options.maxConcurrentFetches ?? 32,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Synchronous: the unexpired key for a B-TID, if held. */
  lookup(btid: string): NafKey | undefined {
    return this.#dir.peek(btid);
  }

  /** Fetches (once, concurrent callers share it) and caches Ks_NAF for a B-TID. */
  async prefetch(btid: string): Promise<NafKey> {
    const held = this.#dir.peek(btid);
    if (held) return held;
    parseBtid(btid); // a GbaError for anything that is not a B-TID
    const key = await this.#dir.fetch(btid);
    if (!key) throw new GbaError(404, 'ERR_UNKNOWN_BTID', 'the Ks_NAF the BSF returned has already expired');
    return key;
  }

  /**
   * For tls.createServer({ pskCallback }): Ks_NAF for the PSK identity (= B-TID), or null, which fails the
   * handshake; on a miss a background fetch is started for the device's retry.
   */
  readonly pskCallback = (_socket: unknown, identity: string): Buffer | null => {
    return this.#dir.lookup(identity)?.ksNaf ?? null;
  };

  delete(btid: string): boolean {
    return this.#dir.delete(btid);
  }

  clear(): void {
    this.#dir.clear();
  }

  get size(): number {
    return this.#dir.size;
  }

  /**
   * For a PSK identity seen on the wire: resolves true once Ks_NAF is held, false when it cannot be (not a
   * B-TID, recently failed, too many fetches in flight, or the fetch failed). Never rejects.
   */
  prepare(identity: string): Promise<boolean> {
    return this.#dir.prepare(identity);
  }
}
