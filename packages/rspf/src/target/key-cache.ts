// Enrolment Target keys by KeID (TS-0003 8.3.2.1 "Use of Remotely Provisioned Credential", 8.3.4.3:
// a key identifier whose FQDN is the MEF's triggers Key Retrieval). Node's pskCallback is
// synchronous, so the fetch never happens inside a handshake. The cache is filled
//   - when the MEF notifies the target that an enrolment naming it completed, or the enrolee
//     announces its KeID before connecting (prefetch; both carry no secret, so neither needs
//     authentication: the fetch itself is authenticated and authorised at the MEF), or
//   - on a miss: the handshake with an unknown KeID fails, a fetch starts in the background, and the
//     enrolee's retry finds the key.
// A key is served only after onFetched (e.g. binding the KeID credential to the Enrolee-ID) is done,
// and never past its lifetime (10.7).
import { PrefetchingKeyDirectory, parseKeID } from '@m2msec/crypto';
import type { FetchedCredential } from './fetch-client.js';

export interface EnrolmentTargetKeysOptions {
  /** FQDNs of the MEFs this target trusts; KeIDs naming any other MEF are not fetched. */
  mefFqdns: readonly string[];
  /** Fetch one key (e.g. fetchCredentials(mefOptions, keId, suid)). */
  fetch: (keId: string) => Promise<FetchedCredential>;
  /** Runs before the key becomes usable (bind the credential to the Enrolee-ID). */
  onFetched?: (keId: string, credential: Omit<FetchedCredential, 'key'>) => Promise<void>;
  onError?: (message: string) => void;
  /** Don't fetch the same unknown KeID again for this long after a failure (ms); default 2 s. */
  negativeCacheMs?: number;
  now?: () => number;
}

interface Entry {
  key: Buffer;
  expiresAt: number;
  enroleeId: string;
}

/** The caching (dedupe, negative cache, expiry, zeroising eviction) is @m2msec/crypto's PrefetchingKeyDirectory. */
export class EnrolmentTargetKeys {
  readonly #dir: PrefetchingKeyDirectory<Entry>;
  readonly #fqdns: Set<string>;

  constructor(o: EnrolmentTargetKeysOptions) {
    this.#fqdns = new Set(o.mefFqdns.map((f) => f.toLowerCase()));
    const now = o.now ?? Date.now;
    this.#dir = new PrefetchingKeyDirectory<Entry>({
      accepts: (identity) => this.isEnrolmentKeyId(identity),
      fetch: async (keId) => {
        const c = await o.fetch(keId);
        if (!(c.expiresAt > now())) throw new Error('the fetched key has already expired');
        return { key: c.key, expiresAt: c.expiresAt, enroleeId: c.enroleeId };
      },
      expiresAt: (e) => e.expiresAt,
      ...(o.onFetched
        ? { onFetched: (keId, e) => o.onFetched!(keId, { enroleeId: e.enroleeId, expiresAt: e.expiresAt }) }
        : {}),
      onEvict: (_keId, e) => e.key.fill(0),
      onFetchError: (keId, err) => o.onError?.(`key retrieval for ${keId} failed: ${(err as Error).message}`),
      negativeCacheMs: o.negativeCacheMs ?? 2000,
      now,
    });
  }

  /** True for a KeID of a trusted MEF. */
  isEnrolmentKeyId(identity: string): boolean {
    try {
      return this.#fqdns.has(parseKeID(identity).mefFqdn.toLowerCase());
    } catch {
      return false;
    }
  }

  /** Synchronous, for the PSK callback (PskDirectory shape). A miss starts a background fetch. */
  lookup(identity: string): { key: Buffer; expiresAt: number } | undefined {
    const e = this.#dir.lookup(identity);
    return e && { key: e.key, expiresAt: e.expiresAt };
  }

  /** Fetch a KeID's key now (deduplicated); resolves true when the key is usable. */
  prefetch(keId: string): Promise<boolean> {
    return this.#dir.prepare(keId);
  }

  /** The Enrolee-ID the MEF named for a cached KeID. */
  enroleeOf(keId: string): string | undefined {
    return this.#dir.peek(keId)?.enroleeId;
  }

  evict(keId: string): void {
    this.#dir.delete(keId);
  }

  clear(): void {
    this.#dir.clear();
  }
}

/** A PSK directory that serves KeIDs from the enrolment keys and everything else from `base`. */
export function withEnrolmentKeys<E extends { key: Buffer; expiresAt?: number }>(
  base: { lookup(identity: string): E | undefined },
  keys: EnrolmentTargetKeys,
): { lookup(identity: string): { key: Buffer; expiresAt?: number } | undefined } {
  return {
    lookup: (identity) => (keys.isEnrolmentKeyId(identity) ? keys.lookup(identity) : base.lookup(identity)),
  };
}

/**
 * POST <announce path> {"keID": "..."}: the MEF's notification or the enrolee's announcement.
 * Waits (bounded) for the fetch so the enrolee can connect right after a 200.
 */
export async function handleKeyAnnouncement(
  keys: EnrolmentTargetKeys,
  body: unknown,
  waitMs = 10_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const keId = (body as { keID?: unknown } | null)?.keID;
  if (typeof keId !== 'string' || !keys.isEnrolmentKeyId(keId)) {
    return { status: 400, body: { error: 'keID must be a KeID issued by a MEF this target trusts' } };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), waitMs);
  });
  const ok = await Promise.race([keys.prefetch(keId), timeout]);
  clearTimeout(timer);
  if (ok === 'timeout') return { status: 202, body: { keID: keId, state: 'fetching' } };
  return ok
    ? { status: 200, body: { keID: keId, state: 'available' } }
    : { status: 404, body: { keID: keId, state: 'unavailable' } };
}

export const KEY_ANNOUNCEMENT_PATH = '/.well-known/m2msec/rspf-key';
