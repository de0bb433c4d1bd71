/**
 * PSKs that TLS handshakes need synchronously (Node's pskCallback cannot await). Entries carry
 * their expiry so a lookup refuses an expired key without touching the store.
 */
export class PskCache {
  private readonly entries = new Map<string, { psk: Buffer; expiresAt?: number }>();

  set(identity: string, psk: Uint8Array, expiresAt?: number): void {
    this.evict(identity);
    this.entries.set(identity, { psk: Buffer.from(psk), expiresAt });
  }

  /** The PSK, or undefined when absent; 'expired' when present but past its expiry. */
  get(identity: string, now: number): Buffer | undefined | 'expired' {
    const e = this.entries.get(identity);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && now >= e.expiresAt) return 'expired';
    return e.psk;
  }

  /** Remove and zeroise. */
  evict(identity: string): void {
    const e = this.entries.get(identity);
    if (e) {
      e.psk.fill(0);
      this.entries.delete(identity);
    }
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.evict(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
