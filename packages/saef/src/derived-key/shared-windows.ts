// Shared DerivedKey windows (issue 18 item 3, DESIGN.md section 6): with several resource-server
// instances behind a load balancer, a sequence number accepted by one must be refused by all. Each
// instance keeps a local copy of the windows for the synchronous pskCallback (a fast early refusal),
// but the decision is made here: in one store transaction (PostgreSQL SERIALIZABLE, re-run on
// conflict) the TA's window row is read, the number checked against it and the revocations, marked,
// and written back; the commit notifies the other instances ('dk-window'), which reread the row.
// Two instances accepting the same number concurrently: one transaction conflicts, is re-run, and
// then sees the number taken.
import { ReplayWindow } from '@m2msec/crypto';
import type { Store, StoreTransaction } from '@m2msec/store';
import { SaefError } from '../lib/errors.js';
import type { DerivedKeyWindowState } from './resource-server.js';

export const DK_WINDOW_CHANNEL = 'dk-window';
export const DK_REVOKED_CHANNEL = 'dk-revoked';

export interface SharedWindowRow {
  window: ReplayWindow;
  revoked: Set<bigint>;
}

/** The row of a TA (an empty window of `size` if none), resized fail-closed when stored with another size. */
export async function readWindowRow(
  tx: Pick<StoreTransaction, 'collection'>,
  collection: string,
  taId: string,
  size: number,
): Promise<SharedWindowRow> {
  const saved = await tx.collection<DerivedKeyWindowState>(collection).get(`window:${taId}`);
  const stored = saved ? ReplayWindow.parse(saved.window) : undefined;
  return {
    window: !stored ? new ReplayWindow(size) : stored.size === size ? stored : stored.resized(size),
    revoked: new Set((saved?.revoked ?? []).map((s) => BigInt(s))),
  };
}

export async function writeWindowRow(
  tx: Pick<StoreTransaction, 'collection'>,
  collection: string,
  taId: string,
  row: SharedWindowRow,
): Promise<void> {
  const top = row.window.highest;
  // Revoked numbers left of the window are refused as too old anyway: drop them.
  const revoked = [...row.revoked].filter((s) => top === undefined || top - s < BigInt(row.window.size));
  await tx
    .collection<DerivedKeyWindowState>(collection)
    .put(`window:${taId}`, { window: row.window.toString(), revoked: revoked.map(String) });
}

/** Per number: accepted, or the SaefError (DK_REPLAY / DK_REVOKED) that refuses it. */
export type SharedVerdicts = Map<bigint, true | SaefError>;

/**
 * Decides a batch of `taId`'s sequence numbers in one transaction on the shared row (group commit: the
 * numbers that arrived while the previous transaction ran share this one): each is accepted or refused
 * with DK_REPLAY / DK_REVOKED because another instance (or a revocation, or an earlier number of the
 * same batch) got there first. Resolves with the verdicts and the committed row.
 */
export function acceptShared(
  store: Store,
  collection: string,
  taId: string,
  sequenceNumbers: readonly bigint[],
  size: number,
): Promise<{ verdicts: SharedVerdicts; row: SharedWindowRow }> {
  return store.transaction(async (tx) => {
    const row = await readWindowRow(tx, collection, taId, size);
    const verdicts: SharedVerdicts = new Map();
    for (const seq of sequenceNumbers) {
      if (row.revoked.has(seq)) {
        verdicts.set(seq, new SaefError('DK_REVOKED', `sequence number ${seq} of TA ${taId} revoked`));
        continue;
      }
      const w = row.window.check(seq);
      if (!w.ok) {
        verdicts.set(
          seq,
          new SaefError('DK_REPLAY', `sequence number ${seq} of TA ${taId} refused: ${w.reason} (accepted elsewhere)`),
        );
        continue;
      }
      row.window.accept(seq);
      verdicts.set(seq, true);
    }
    await writeWindowRow(tx, collection, taId, row);
    await tx.events.publish(DK_WINDOW_CHANNEL, taId);
    return { verdicts, row };
  });
}

/** Adds revoked numbers to the shared row; the commit tells every instance ('dk-revoked'). */
export function revokeShared(
  store: Store,
  collection: string,
  taId: string,
  seqs: bigint[],
  size: number,
  instance: string,
): Promise<SharedWindowRow> {
  return store.transaction(async (tx) => {
    const row = await readWindowRow(tx, collection, taId, size);
    for (const s of seqs) row.revoked.add(s);
    await writeWindowRow(tx, collection, taId, row);
    // Receivers reread the row for the numbers (a long list would not fit a notification).
    await tx.events.publish(DK_REVOKED_CHANNEL, JSON.stringify({ instance, taId }));
    return row;
  });
}
