// The PSKs a CSE serves to Provisioned Symmetric Key SAEF clients: Kpsa records of the Sensitive
// Data Handling function (TS-0003 6.2.5), looked up synchronously (Node's pskCallback cannot await).
// Only kind Kpsa qualifies: a Kpm, Km, Ke or a DerivedKey K_RS-TA stored beside it is never a
// SAEF PSK, even when a client names its ID.
import type { CredentialStore } from '@m2msec/sensitive-data';

/** Owner marker of K_RS-TA records (DerivedKey trust anchor keys) in the credential store. */
export const DERIVED_KEY_TA_OWNER = 'derived-key-trust-anchor';

export interface PskEntry {
  key: Buffer;
  expiresAt?: number;
}

export interface PskDirectory {
  lookup(identity: string): PskEntry | undefined;
}

export class CredentialStorePskDirectory implements PskDirectory {
  #index = new Map<string, { expiresAt?: number }>();

  constructor(private readonly store: CredentialStore) {
    this.refresh();
  }

  /** Re-reads which credentials are Kpsa (after adding or deleting credentials). */
  refresh(): void {
    const next = new Map<string, { expiresAt?: number }>();
    for (const r of this.store.list({ kind: 'Kpsa' })) {
      if (r.owner === DERIVED_KEY_TA_OWNER) continue;
      next.set(r.credentialId, r.expiresAt === undefined ? {} : { expiresAt: r.expiresAt });
    }
    this.#index = next;
  }

  lookup(identity: string): PskEntry | undefined {
    const meta = this.#index.get(identity);
    if (!meta) return undefined;
    const key = this.store.getPskSync(identity); // refuses and purges an expired key
    if (!key) return undefined;
    return { key, ...meta };
  }

  /** K_RS-TA of each DerivedKey trust anchor kept in the store (credentialId DKTA.<TA_id>). */
  trustAnchorKeys(): Array<{ taId: string; key: Buffer }> {
    const out: Array<{ taId: string; key: Buffer }> = [];
    for (const r of this.store.list({ owner: DERIVED_KEY_TA_OWNER })) {
      const key = this.store.getPskSync(r.credentialId);
      if (key && r.credentialId.startsWith('DKTA.')) out.push({ taId: r.credentialId.slice(5), key });
    }
    return out;
  }
}
