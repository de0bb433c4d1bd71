// Bounded, time-limited maps for one DTLS session: responses by Message ID (RFC 7252 4.5 deduplication,
// kept EXCHANGE_LIFETIME), Block1 reassembly and Block2 bodies (RFC 7959). Oldest entries go first when full.
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; at: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now = Date.now()): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (now - e.at > this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    this.map.delete(key);
    this.map.set(key, { value, at: now });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/** RFC 7252 4.8.2: EXCHANGE_LIFETIME with the default transmission parameters. */
export const EXCHANGE_LIFETIME_MS = 247_000;
