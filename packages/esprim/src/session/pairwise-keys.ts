// The (pairwiseESPrimKeyID, pairwiseESPrimKey, lifetime) cache of TS-0003 8.4.2 phase A, plus the identity
// the Target associates with the key (TS-0003 7.2.2 step 0). Keys come pre-provisioned, from an RSPF
// (TS-0003 8.3 / 8.6), or from ESCertKE (8.7).
export interface PairwiseESPrimKey {
  /** pairwiseESPrimKeyID, carried as the JWE "kid". */
  readonly kid: string;
  readonly key: Uint8Array;
  /** The AE-ID or CSE-ID (SP-relative form) the key authenticates (TS-0003 7.2.2). */
  readonly identity: string;
  /** pairwiseESPrimKeyLifetime as epoch ms; absent = never expires (TS-0003 8.4.2 A). */
  readonly expiresAt?: number;
}

export interface PairwiseESPrimKeyStore {
  get(kid: string): PairwiseESPrimKey | undefined | Promise<PairwiseESPrimKey | undefined>;
}

/** An in-memory key cache; a deployment backs the same interface with its credential store. */
export class PairwiseESPrimKeys implements PairwiseESPrimKeyStore {
  private readonly keys = new Map<string, PairwiseESPrimKey>();
  add(entry: PairwiseESPrimKey): void {
    if (entry.key.length < 16) throw new RangeError('a pairwiseESPrimKey must be at least 128 bits');
    this.keys.set(entry.kid, { ...entry, key: Buffer.from(entry.key) });
  }
  delete(kid: string): void {
    this.keys.get(kid) && Buffer.from(this.keys.get(kid)!.key).fill(0);
    this.keys.delete(kid);
  }
  get(kid: string): PairwiseESPrimKey | undefined {
    return this.keys.get(kid);
  }
}
