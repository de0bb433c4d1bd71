// pairwiseESPrimKeys provisioned by a MEF (TS-0003 8.4.2 A "remote security provisioning", 8.6.2 with the
// RSPF of 8.3): the Target does not hold them in advance; a kid that is a KeID of a trusted MEF is
// fetched from the MEF (/fetchCredentials with SUID 23) on first use, bound to the Enrolee-ID the MEF
// names, and kept until the lifetime the MEF gave it. Each unknown kid costs one fetch at most every
// `negativeCacheMs`, and at most `maxInFlight` fetches run at once: a flood of invented KeIDs cannot turn
// the Target into an amplifier against the MEF.
import type { PairwiseESPrimKey, PairwiseESPrimKeyStore, PairwiseESPrimKeys } from './pairwise-keys.js';

export interface FetchedESPrimKey {
  key: Uint8Array;
  /** The AE-ID / CSE-ID (SP-relative) the key authenticates. */
  identity: string;
  /** Epoch ms after which the key is not used. */
  expiresAt: number;
}

export interface FetchingESPrimKeysOptions {
  /** True for a kid this Target may fetch (a KeID naming a trusted MEF). */
  accepts(kid: string): boolean;
  fetch(kid: string): Promise<FetchedESPrimKey>;
  onError?(message: string): void;
  /** Not fetched again for this long after a failure (ms); default 2 s. */
  negativeCacheMs?: number;
  /** Fetches running at once (default 16); past that an unknown kid is simply unknown. */
  maxInFlight?: number;
  /** Keys kept (default 65,536); past that the one expiring first is dropped. */
  maxKeys?: number;
  now?: () => number;
}

export class FetchingESPrimKeys implements PairwiseESPrimKeyStore {
  readonly #fetched = new Map<string, PairwiseESPrimKey & { expiresAt: number }>();
  readonly #inFlight = new Map<string, Promise<PairwiseESPrimKey | undefined>>();
  readonly #failedAt = new Map<string, number>();
  readonly #now: () => number;

  constructor(
    private readonly local: PairwiseESPrimKeys,
    private readonly o: FetchingESPrimKeysOptions,
  ) {
    this.#now = o.now ?? Date.now;
  }

  get(kid: string): PairwiseESPrimKey | undefined | Promise<PairwiseESPrimKey | undefined> {
    const own = this.local.get(kid);
    if (own) return own;
    if (!this.o.accepts(kid)) return undefined;
    const f = this.#fetched.get(kid);
    if (f && this.#now() < f.expiresAt) return f;
    if (f) this.#drop(kid);
    const running = this.#inFlight.get(kid);
    if (running) return running;
    const failed = this.#failedAt.get(kid);
    if (failed !== undefined && this.#now() - failed < (this.o.negativeCacheMs ?? 2000)) return undefined;
    if (this.#inFlight.size >= (this.o.maxInFlight ?? 16)) return undefined;
    const p = this.#fetch(kid).finally(() => this.#inFlight.delete(kid));
    this.#inFlight.set(kid, p);
    return p;
  }

  async #fetch(kid: string): Promise<PairwiseESPrimKey | undefined> {
    try {
      const r = await this.o.fetch(kid);
      if (r.key.length < 16 || !(r.expiresAt > this.#now())) throw new Error('the fetched key is short or expired');
      this.#failedAt.delete(kid);
      this.#makeRoom();
      const entry = { kid, key: Buffer.from(r.key), identity: r.identity, expiresAt: r.expiresAt };
      this.#fetched.set(kid, entry);
      return entry;
    } catch (e) {
      this.#failedAt.set(kid, this.#now());
      if (this.#failedAt.size > 4096) this.#failedAt.delete(this.#failedAt.keys().next().value!);
      this.o.onError?.(`pairwiseESPrimKey '${kid}' could not be fetched: ${(e as Error).message}`);
      return undefined;
    }
  }

  #makeRoom(): void {
    if (this.#fetched.size < (this.o.maxKeys ?? 65_536)) return;
    let first: [string, number] | undefined;
    for (const [k, v] of this.#fetched) if (!first || v.expiresAt < first[1]) first = [k, v.expiresAt];
    if (first) this.#drop(first[0]);
  }

  #drop(kid: string): void {
    const f = this.#fetched.get(kid);
    if (f) Buffer.from(f.key.buffer, f.key.byteOffset, f.key.byteLength).fill(0);
    this.#fetched.delete(kid);
  }
}
