// The PSKs the MEF's TLS-PSK handshakes need, for Node's synchronous pskCallback (DESIGN 3). Filled once at
// start-up and kept current by the MEF's own writes; an identity it does not hold (written by another MEF
// instance, or never issued) is fetched alone in the background, so the client's retry succeeds.
// Attack: a client that sends unknown psk_identity values must not make the MEF decrypt its whole key
// table per handshake (an amplification): a miss costs one keyed read, at most `maxLoads` run at once, and
// an identity found missing is not looked up again for `negativeTtlMs`.
export interface PskDirectoryOptions<E> {
  /** Reads and unseals the entry of one identity; undefined when the store has none. */
  load(identity: string): Promise<E | undefined>;
  /** Zeroes an entry's key when it leaves the directory. */
  wipe(entry: E): void;
  maxLoads?: number;
  negativeTtlMs?: number;
  /** Bound on remembered misses (oldest forgotten first). */
  maxMisses?: number;
  now?: () => number;
}

export class PskDirectory<E> {
  readonly #entries = new Map<string, E>();
  readonly #misses = new Map<string, number>();
  readonly #loading = new Set<string>();
  readonly #o: Required<PskDirectoryOptions<E>>;
  /** Keyed reads started by misses (for tests and metrics). */
  loads = 0;

  constructor(o: PskDirectoryOptions<E>) {
    this.#o = { maxLoads: 16, negativeTtlMs: 30_000, maxMisses: 10_000, now: Date.now, ...o };
  }

  /** The entry for a handshake, or undefined (then fetched in the background unless known missing). */
  lookup(identity: string): E | undefined {
    const e = this.#entries.get(identity);
    if (e !== undefined) return e;
    this.#fetch(identity);
    return undefined;
  }

  /** The entry if held now; never starts a fetch (for checks that run outside a handshake). */
  peek(identity: string): E | undefined {
    return this.#entries.get(identity);
  }

  set(identity: string, entry: E): void {
    const old = this.#entries.get(identity);
    if (old !== undefined && old !== entry) this.#o.wipe(old);
    this.#entries.set(identity, entry);
    this.#misses.delete(identity);
  }

  delete(identity: string): void {
    const old = this.#entries.get(identity);
    if (old !== undefined) this.#o.wipe(old);
    this.#entries.delete(identity);
  }

  clear(): void {
    for (const e of this.#entries.values()) this.#o.wipe(e);
    this.#entries.clear();
    this.#misses.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #fetch(identity: string): void {
    const until = this.#misses.get(identity);
    if (until !== undefined && until > this.#o.now()) return;
    if (this.#loading.has(identity) || this.#loading.size >= this.#o.maxLoads) return;
    this.#loading.add(identity);
    this.loads++;
    this.#o
      .load(identity)
      .then(
        (e) => {
          if (e === undefined) this.#remember(identity);
          else if (this.#entries.has(identity))
            this.#o.wipe(e); // a write got there first: it is newer
          else this.set(identity, e);
        },
        () => this.#remember(identity),
      )
      .finally(() => this.#loading.delete(identity));
  }

  /**
   * The store changed this identity (another MEF instance wrote or revoked it): reread it now. Until the
   * reread completes the old entry answers; a reread started by an older event never overwrites a newer
   * one, and a failed reread drops the entry (fail closed).
   */
  refresh(identity: string): void {
    const gen = (this.#refreshing.get(identity) ?? 0) + 1;
    this.#refreshing.set(identity, gen);
    const latest = () => this.#refreshing.get(identity) === gen;
    this.#misses.delete(identity);
    this.#o
      .load(identity)
      .then(
        (e) => {
          if (!latest()) {
            if (e !== undefined) this.#o.wipe(e);
          } else if (e === undefined) this.delete(identity);
          else this.set(identity, e);
        },
        () => {
          if (latest()) this.delete(identity);
        },
      )
      .finally(() => {
        if (latest()) this.#refreshing.delete(identity);
      });
  }

  readonly #refreshing = new Map<string, number>();

  #remember(identity: string): void {
    this.#misses.delete(identity);
    this.#misses.set(identity, this.#o.now() + this.#o.negativeTtlMs);
    if (this.#misses.size > this.#o.maxMisses) this.#misses.delete(this.#misses.keys().next().value as string);
  }
}
