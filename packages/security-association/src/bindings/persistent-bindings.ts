// Credential-ID -> identities (TS-0003 8.2.1), persisted in a store Collection and mirrored in memory:
// the HTTP binding builds a TransportContext synchronously, so the bound identities of a session's
// credential must be readable without I/O. Every write commits to the store before the mirror changes
// (nothing is acknowledged that a restart would forget).
import {
  boundIdsOf,
  type CredentialBinding,
  type CredentialBindings,
  normaliseBinding,
  parseCredentialId,
} from '@m2msec/identification';
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import type { Collection } from '@m2msec/store';

export class PersistentCredentialBindings implements CredentialBindings {
  readonly #mirror = new Map<string, CredentialBinding>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly collection: Collection<CredentialBinding>,
    private readonly ctx: IdContext,
  ) {}

  static async open(collection: Collection<CredentialBinding>, ctx: IdContext): Promise<PersistentCredentialBindings> {
    const b = new PersistentCredentialBindings(collection, ctx);
    for (const { key, value } of await collection.list()) b.#mirror.set(key, normaliseBinding(value, ctx));
    return b;
  }

  async get(credentialId: string): Promise<CredentialBinding | undefined> {
    return this.getSync(credentialId);
  }

  /** The binding without I/O (for the TransportContext builder). */
  getSync(credentialId: string): CredentialBinding | undefined {
    try {
      return this.#mirror.get(parseCredentialId(credentialId).id);
    } catch {
      return undefined;
    }
  }

  /** Whether some credential binds this (SP-relative) AE-ID: then only that credential may use it. */
  isAeBoundSync(aeId: string): boolean {
    for (const b of this.#mirror.values()) if (b.kind === 'ae' && b.aeIds.includes(aeId)) return true;
    return false;
  }

  /** Identities bound to a credential ([] when unbound). */
  boundIdsSync(credentialId: string): readonly string[] {
    const b = this.getSync(credentialId);
    return b ? boundIdsOf(b) : [];
  }

  set(credentialId: string, binding: CredentialBinding): Promise<void> {
    return this.serial(async () => {
      const key = parseCredentialId(credentialId).id;
      const value = normaliseBinding(binding, this.ctx);
      await this.collection.put(key, value);
      this.#mirror.set(key, value);
    });
  }

  addAeId(credentialId: string, aeId: string): Promise<void> {
    return this.serial(async () => {
      const key = parseCredentialId(credentialId).id;
      const id = toSpRelativeOriginator(parseOriginator(aeId), this.ctx);
      const current = this.#mirror.get(key);
      if (current?.kind === 'cse') {
        throw new Error(`credential '${key}' is bound to CSE-ID '${current.cseId}', not to AEs`);
      }
      if (current?.aeIds.includes(id)) return;
      const next = normaliseBinding(
        { kind: 'ae', aeIds: [...(current?.aeIds ?? []), id], ...(current?.appIds ? { appIds: current.appIds } : {}) },
        this.ctx,
      );
      await this.collection.put(key, next);
      this.#mirror.set(key, next);
    });
  }

  /**
   * Removes an AE-ID from every binding that holds it (the AE was deregistered: TS-0001 10.1.1.1,
   * issue 12): the credentials can no longer act as it. A binding left with no AE-ID and no App-ID
   * is deleted. Returns the Credential-IDs (normalised) that lost it; each write commits first.
   */
  removeAeId(aeId: string): Promise<string[]> {
    return this.serial(async () => {
      const id = toSpRelativeOriginator(parseOriginator(aeId), this.ctx);
      const out: string[] = [];
      for (const [key, b] of [...this.#mirror]) {
        if (b.kind !== 'ae' || !b.aeIds.includes(id)) continue;
        const aeIds = b.aeIds.filter((x) => x !== id);
        if (aeIds.length === 0 && !b.appIds?.length) {
          await this.collection.delete(key);
          this.#mirror.delete(key);
        } else {
          const next = normaliseBinding({ kind: 'ae', aeIds, ...(b.appIds ? { appIds: b.appIds } : {}) }, this.ctx);
          await this.collection.put(key, next);
          this.#mirror.set(key, next);
        }
        out.push(key);
      }
      return out;
    });
  }

  delete(credentialId: string): Promise<boolean> {
    return this.serial(async () => {
      const key = parseCredentialId(credentialId).id;
      const had = await this.collection.delete(key);
      this.#mirror.delete(key);
      return had;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
