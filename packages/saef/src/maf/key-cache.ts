// MAF-based SAEF, Entity B (TS-0003 8.2.2.3 steps 5-6): B spots the MAF-FQDN in psk_identity and
// retrieves Kc from that MAF (MAF Key Retrieval, 8.8.2). Node's pskCallback is synchronous, so the
// retrieval cannot happen inside the handshake: B serves Kc from this cache, which is filled
//   - by push: the MAF (or B's MAF client) delivers keys registered for B (deliver), or
//   - on a miss: the first handshake with an unknown Key Identifier fails, a retrieval starts in the
//     background, and A's retry (the client SDK retries once) finds the key.
// An expired Kc is refused and evicted (8.2.2.3: B fails the handshake once Kc has expired).
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

/** MAF Key Retrieval as B sees it; the MAF itself (Mmaf) is another package. */
export interface MafKeySource {
  retrieve(keyIdentifier: string): Promise<MafKeyRecord | undefined>;
}

export interface MafKeyCacheOptions {
  /** MAF FQDNs this CSE trusts; identities naming another MAF are refused. */
  mafFqdns: readonly string[];
  source?: MafKeySource;
  now?: () => number;
  onError?: (message: string) => void;
}

export class MafKeyCache {
  readonly #keys = new Map<string, MafKeyRecord & { kc: Buffer }>();
  readonly #inFlight = new Map<string, Promise<void>>();
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

  /** Synchronous lookup for the pskCallback; a miss starts a background retrieval. */
  lookup(identity: string): (MafKeyRecord & { kc: Buffer }) | undefined {
    if (!this.isMafIdentity(identity)) return undefined;
    const hit = this.#keys.get(identity);
    if (hit && this.#now() < hit.expiresAt) return hit;
    if (hit) this.evict(identity);
    void this.prefetch(identity);
    return undefined;
  }

  /** Retrieves a key from the MAF into the cache (deduplicated per identity). */
  prefetch(identity: string): Promise<void> {
    const source = this.o.source;
    if (!source || !this.isMafIdentity(identity)) return Promise.resolve();
    const running = this.#inFlight.get(identity);
    if (running) return running;
    const p = source
      .retrieve(identity)
      .then((r) => {
        if (r) this.deliver(identity, r);
      })
      .catch((e) => this.o.onError?.(`MAF Key Retrieval for ${identity} failed: ${(e as Error).message}`))
      .finally(() => this.#inFlight.delete(identity));
    this.#inFlight.set(identity, p);
    return p;
  }

  /** A key the MAF delivered (push) or retrieved. Expired records are ignored. */
  deliver(identity: string, r: MafKeyRecord): void {
    if (!this.isMafIdentity(identity) || !(r.expiresAt > this.#now()) || r.kc.length === 0) return;
    this.evict(identity);
    this.#keys.set(identity, { ...r, kc: Buffer.from(r.kc) });
  }

  evict(identity: string): void {
    const e = this.#keys.get(identity);
    if (e) {
      e.kc.fill(0);
      this.#keys.delete(identity);
    }
  }
}
