// Established pairwise keys (ESCertKE, TS-0003 8.7; used as pairwiseESPrimKey per 8.4.2 A) kept across
// restarts: each is written as a credential of the Secure Environment (whose keystore is encrypted at rest
// under the KEK, docs/hardening.md), one per proved identity, and loaded into the in-memory key store at
// start. Without this an AE would hold a key the Target forgot after a restart (4000 at every request).

import type { PairwiseESPrimKeys } from './pairwise-keys.js';

/** The part of a Secure Environment this needs (SecureEnvironment of @m2msec/secure-environment has it). */
export interface CredentialSlots {
  writeCredential(label: string, value: Uint8Array): Promise<void>;
  readCredential(label: string): Promise<Uint8Array | undefined>;
  deleteCredential(label: string): Promise<boolean>;
  listCredentials(): Promise<string[]>;
}

interface StoredKey {
  kid: string;
  identity: string;
  key: string;
}

/** One key per identity: a new key for an identity replaces (and forgets) the previous one. */
export class PersistentIdentityKeys {
  private readonly kidOf = new Map<string, string>();

  private constructor(
    private readonly slots: CredentialSlots,
    private readonly prefix: string,
    private readonly keys: PairwiseESPrimKeys,
  ) {}

  /**
   * Loads every key stored under `prefix` into `keys`. A record that does not parse stops the start. A key of
   * an identity `allowed` no longer accepts (the configuration changed) is deleted, not served.
   */
  static async open(
    slots: CredentialSlots,
    prefix: string,
    keys: PairwiseESPrimKeys,
    allowed: (identity: string) => boolean = () => true,
  ): Promise<PersistentIdentityKeys> {
    const p = new PersistentIdentityKeys(slots, prefix, keys);
    for (const label of await slots.listCredentials()) {
      if (!label.startsWith(prefix)) continue;
      const bytes = await slots.readCredential(label);
      let r: StoredKey;
      try {
        r = JSON.parse(Buffer.from(bytes ?? []).toString('utf8')) as StoredKey;
      } catch {
        throw new Error(`stored end-to-end key '${label}' is not readable`);
      }
      if (typeof r.kid !== 'string' || typeof r.identity !== 'string' || typeof r.key !== 'string')
        throw new Error(`stored end-to-end key '${label}' is malformed`);
      if (!allowed(r.identity)) {
        await slots.deleteCredential(label);
        continue;
      }
      const key = Buffer.from(r.key, 'base64');
      keys.add({ kid: r.kid, identity: r.identity, key });
      key.fill(0);
      p.kidOf.set(r.identity, r.kid);
    }
    return p;
  }

  /** The credential label of an identity: printable ASCII (the SE's rule), the identity percent-encoded. */
  private label(identity: string): string {
    return `${this.prefix}${encodeURIComponent(identity)}`;
  }

  /** Stores the key first, then serves it: a key the Target answers with is one it will still hold after a restart. */
  async put(identity: string, kid: string, key: Uint8Array): Promise<void> {
    const record: StoredKey = { kid, identity, key: Buffer.from(key).toString('base64') };
    const bytes = Buffer.from(JSON.stringify(record), 'utf8');
    try {
      await this.slots.writeCredential(this.label(identity), bytes);
    } finally {
      bytes.fill(0);
    }
    const previous = this.kidOf.get(identity);
    if (previous && previous !== kid) this.keys.delete(previous);
    this.keys.add({ kid, identity, key });
    this.kidOf.set(identity, kid);
  }

  /** The kid stored for an identity, if any. */
  kid(identity: string): string | undefined {
    return this.kidOf.get(identity);
  }
}
