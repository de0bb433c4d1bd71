// HTTP Digest nonces shared by every MEF instance over one store, so that behind a load balancer any
// instance accepts an answer to a challenge another issued, and a nonce count accepted by one is refused
// by all (RFC 7616 3.3: the server checks that nc was not used before with that nonce).
// - The key that MACs the nonces is generated once, sealed under the MEF KEK (which instances sharing a
//   database share, see checkKek) and kept in `mef-meta`; the first instance to start inserts it.
// - The highest nonce count accepted per nonce is a row of `mef-digest-nc`, moved in one store
//   transaction (PostgreSQL SERIALIZABLE, re-run on conflict; SQLite BEGIN IMMEDIATE), so two instances
//   given the same answer at once accept it once. Challenges write nothing: only a correct answer does,
//   so unauthenticated clients cannot fill the table. Rows go when their nonce has expired.
import { randomBytes } from 'node:crypto';
import type { KeyVault } from '@m2msec/rspf';
import type { Store } from '@m2msec/store';

export const DIGEST_NC_COLLECTION = 'mef-digest-nc';
const KEY_ROW = 'digest-nonce-key';

interface NonceCount {
  nc: number;
  /** When the nonce expires (ms since the epoch): the row is useless after it. */
  expires: number;
}

/** The nonce MAC key every instance over `store` uses (created by the first). */
export async function sharedDigestSecret(store: Store, vault: KeyVault): Promise<Buffer> {
  const meta = store.collection<string>('mef-meta');
  const fresh = randomBytes(32);
  await meta.insert(KEY_ROW, await vault.seal('digest-nonce-key', 'mef', fresh));
  fresh.fill(0);
  const sealed = await meta.get(KEY_ROW);
  if (sealed === undefined) throw new Error('the Digest nonce key vanished from the store');
  return vault.open('digest-nonce-key', 'mef', sealed);
}

/**
 * `accept(nonce, nc, expires)`: true when `nc` is higher than every count accepted for `nonce` by any
 * instance (and records it), false for a replayed or lower count.
 */
export function sharedNonceCounts(
  store: Store,
  now: () => number = Date.now,
): (nonce: string, nc: number, expires: number) => Promise<boolean> {
  let lastSweep = 0;
  return async (nonce, nc, expires) => {
    const accepted = await store.transaction(async (tx) => {
      const counts = tx.collection<NonceCount>(DIGEST_NC_COLLECTION);
      const seen = await counts.get(nonce);
      if (seen && nc <= seen.nc) return false;
      await counts.put(nonce, { nc, expires: Math.max(expires, seen?.expires ?? 0) });
      return true;
    });
    if (now() - lastSweep > 60_000) {
      lastSweep = now();
      await sweep(store, now());
    }
    return accepted;
  };
}

/** Deletes rows of expired nonces. Nonces begin with their issue time in base 36 (8 digits until 2059), so
 *  the oldest come first. */
async function sweep(store: Store, at: number): Promise<void> {
  const counts = store.collection<NonceCount>(DIGEST_NC_COLLECTION);
  for (;;) {
    const oldest = await counts.list(undefined, 100);
    const gone = oldest.filter((r) => r.value.expires <= at);
    for (const r of gone) await counts.delete(r.key);
    if (gone.length < 100) return;
  }
}
