// The resource server side of DerivedKey mode: recognises DK. identities in psk_identity, derives
// K_RS-C from the TA's K_RS-TA, and admits each sequence number once through a sliding window per TA
// (default 64 entries, at least 32; replays and numbers left of the window refused), minus the numbers
// the TA revoked.
// Two steps, because the window must move only once the peer has proved it holds K_RS-C (DESIGN.md 7):
//   check(identity)  in the synchronous pskCallback: well-formed, known TA, not revoked, fresh in the
//                    window; returns the key and changes nothing. A wrong key (or a made-up identity
//                    with sequence number 2^64-1) then fails the handshake and leaves no trace.
//   accept(identity) on 'secureConnection': the Finished messages proved the key; the number is checked
//                    again (a concurrent handshake with the same number may have completed first),
//                    journalled and marked. A refusal here must end the session before any request.
// Durability: see journal.ts (write-ahead append, group commit; requests wait for it) and
// docs/security-association.md. The windows and revocations live in a store Collection.
// Shared mode (`shared`, several instances on one PostgreSQL): no journal; accept() marks the number
// locally and decides it in the shared row (shared-windows.ts); the session's requests wait for that
// commit, and a number another instance took first ends the session (acceptDerivedKeySession).
import { randomUUID } from 'node:crypto';
import { ReplayWindow } from '@m2msec/crypto';
import type { Collection, Store } from '@m2msec/store';
import { SaefError, show } from '../lib/errors.js';
import { deriveClientKey } from './derive.js';
import { type DerivedKeyIdentity, parseDerivedKeyIdentity } from './identity.js';
import { AcceptJournal } from './journal.js';
import { type DerivedKeyRevocation, parseRevocation, verifyRevocation } from './revocation.js';
import {
  acceptShared,
  DK_REVOKED_CHANNEL,
  DK_WINDOW_CHANNEL,
  readWindowRow,
  revokeShared,
  type SharedWindowRow,
} from './shared-windows.js';

/** Default anti-replay window (RFC 6347 4.1.2.6 prefers 64) and its bounds (at least 32). */
export const DERIVED_KEY_WINDOW_SIZE = ReplayWindow.SIZE;
export const DERIVED_KEY_MIN_WINDOW_SIZE = ReplayWindow.MIN_SIZE;
export const DERIVED_KEY_MAX_WINDOW_SIZE = ReplayWindow.MAX_SIZE;

export interface DerivedKeyWindowState {
  /** ReplayWindow.toString(). */
  window: string;
  /** Revoked sequence numbers still inside or right of the window (decimal). */
  revoked: string[];
}

export interface DerivedKeyResourceServerOptions {
  /** K_RS-TA per TA_id. */
  trustAnchors: ReadonlyArray<{ taId: string; key: Uint8Array }>;
  /** Persistent windows (key `window:<taId>`) of this instance. Per-process mode; not with `shared`. */
  state?: Collection<DerivedKeyWindowState>;
  /** Write-ahead journal file (local to this instance). Per-process mode; not with `shared`. */
  journalPath?: string;
  /**
   * Shared mode: the windows are rows (key `window:<taId>`) of `collection` in `store`, decided under a
   * store transaction so that instances sharing the store (PostgreSQL) refuse each other's replays.
   */
  shared?: { store: Store; collection: string };
  /**
   * How long acceptances gather before the windows are written to the store and the journal emptied
   * (default 1000 ms). The journal already makes each acceptance durable; the snapshot only compacts,
   * so it is batched (a synchronous SQLite commit per handshake would stall the event loop).
   */
  snapshotDelayMs?: number;
  /**
   * Anti-replay window size per TA: an integer from 32 to 1024, default 64. A window stored with
   * another size is resized on open, failing closed (numbers left of the old window stay refused).
   */
  windowSize?: number;
  onError?: (message: string) => void;
}

export type DerivedKeyResolution =
  | { ok: true; key: Buffer; identity: DerivedKeyIdentity }
  | { ok: false; code: SaefError['code']; message: string };

export type DerivedKeyAcceptance =
  | { ok: true; identity: DerivedKeyIdentity }
  | { ok: false; code: SaefError['code']; message: string };

/** The window size of the options, or a SaefError INVALID_INPUT that says what is allowed. */
export function derivedKeyWindowSize(size: unknown = DERIVED_KEY_WINDOW_SIZE): number {
  if (
    typeof size !== 'number' ||
    !Number.isInteger(size) ||
    size < DERIVED_KEY_MIN_WINDOW_SIZE ||
    size > DERIVED_KEY_MAX_WINDOW_SIZE
  ) {
    throw new SaefError(
      'INVALID_INPUT',
      `DerivedKey windowSize must be an integer from ${DERIVED_KEY_MIN_WINDOW_SIZE} to ${DERIVED_KEY_MAX_WINDOW_SIZE} (default ${DERIVED_KEY_WINDOW_SIZE}), got ${show(size)}`,
    );
  }
  return size;
}

interface TaState {
  key: Buffer;
  window: ReplayWindow;
  revoked: Set<bigint>;
}

export class DerivedKeyResourceServer {
  readonly #tas = new Map<string, TaState>();
  #snapshot: Promise<void> | undefined;
  #dirty = false;
  #wake: (() => void) | undefined;
  readonly #revocationListeners: Array<(taId: string, seqs: bigint[]) => void> = [];
  #windowSize = DERIVED_KEY_WINDOW_SIZE;

  readonly #instance = randomUUID();
  readonly #unsubscribe: Array<() => void> = [];

  private constructor(
    private readonly o: DerivedKeyResourceServerOptions,
    private readonly journal: AcceptJournal | undefined,
  ) {}

  /**
   * Loads windows, replays the journal over them, persists the result, empties the journal. Shared mode:
   * loads the shared rows and listens for the other instances' acceptances and revocations.
   */
  static async open(o: DerivedKeyResourceServerOptions): Promise<DerivedKeyResourceServer> {
    const size = derivedKeyWindowSize(o.windowSize);
    for (const ta of o.trustAnchors) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(ta.taId)) throw new SaefError('INVALID_INPUT', `TA_id ${show(ta.taId)}`);
    }
    if (o.shared) {
      if (o.state || o.journalPath) {
        throw new SaefError('INVALID_INPUT', 'DerivedKey shared mode keeps no per-process state or journal');
      }
      return DerivedKeyResourceServer.openShared(o, size);
    }
    if (!o.state || !o.journalPath) {
      throw new SaefError('INVALID_INPUT', 'DerivedKey resource server needs state and journalPath, or shared');
    }
    const { journal, entries } = AcceptJournal.open(o.journalPath);
    const rs = new DerivedKeyResourceServer(o, journal);
    rs.#windowSize = size;
    for (const ta of o.trustAnchors) {
      const saved = await o.state.get(`window:${ta.taId}`);
      const stored = saved ? ReplayWindow.parse(saved.window) : undefined;
      rs.#tas.set(ta.taId, {
        key: Buffer.from(ta.key),
        window: !stored ? new ReplayWindow(size) : stored.size === size ? stored : stored.resized(size),
        revoked: new Set((saved?.revoked ?? []).map((s) => BigInt(s))),
      });
    }
    for (const e of entries) {
      const ta = rs.#tas.get(e.taId);
      if (ta?.window.check(e.sequenceNumber).ok) ta.window.accept(e.sequenceNumber);
    }
    await rs.persistAll();
    journal.truncate();
    return rs;
  }

  private static async openShared(o: DerivedKeyResourceServerOptions, size: number): Promise<DerivedKeyResourceServer> {
    const rs = new DerivedKeyResourceServer(o, undefined);
    rs.#windowSize = size;
    const { store } = o.shared!;
    // Listen first, then read: a change committed in between is both read and heard, never missed.
    rs.#unsubscribe.push(
      await store.events.subscribe(DK_WINDOW_CHANNEL, (taId) => rs.refresh(taId)),
      await store.events.subscribe(DK_REVOKED_CHANNEL, (payload) => rs.heardRevocation(payload)),
    );
    for (const ta of o.trustAnchors) {
      const row = await rs.readRow(ta.taId);
      rs.#tas.set(ta.taId, { key: Buffer.from(ta.key), window: row.window, revoked: row.revoked });
    }
    return rs;
  }

  private readRow(taId: string): Promise<SharedWindowRow> {
    const { store, collection } = this.o.shared!;
    return readWindowRow(store, collection, taId, this.#windowSize);
  }

  /** Another instance changed a window (or events may have been lost: null): reread it. */
  private refresh(taId: string | null): void {
    const ids = taId === null ? [...this.#tas.keys()] : this.#tas.has(taId) ? [taId] : [];
    for (const id of ids) {
      this.readRow(id).then(
        (row) => this.adopt(id, row),
        (e) => this.o.onError?.(`DerivedKey shared window reread failed: ${(e as Error).message}`),
      );
    }
  }

  /** Takes a committed row as the local copy, keeping local marks still waiting for their commit. */
  private adopt(taId: string, row: SharedWindowRow): void {
    const ta = this.#tas.get(taId);
    if (!ta) return;
    for (const seq of this.#pendingShared.get(taId) ?? []) if (row.window.check(seq).ok) row.window.accept(seq);
    ta.window = row.window;
    ta.revoked = row.revoked;
  }

  private heardRevocation(payload: string | null): void {
    let taId: string | undefined;
    if (payload !== null) {
      try {
        const p = JSON.parse(payload) as { instance?: unknown; taId?: unknown };
        if (p.instance === this.#instance) return; // applyRevocation told the local listeners already
        if (typeof p.taId === 'string') taId = p.taId;
      } catch {
        return;
      }
    }
    const ids = taId === undefined ? [...this.#tas.keys()] : this.#tas.has(taId) ? [taId] : [];
    for (const id of ids) {
      this.readRow(id).then(
        (row) => {
          this.adopt(id, row);
          for (const l of this.#revocationListeners) l(id, [...row.revoked]);
        },
        (e) => this.o.onError?.(`DerivedKey shared revocation reread failed: ${(e as Error).message}`),
      );
    }
  }

  /** Numbers accepted locally whose shared commit is still in flight, per TA. */
  readonly #pendingShared = new Map<string, Set<bigint>>();
  /** Per TA: numbers waiting for the next shared transaction (group commit), and whether one runs. */
  readonly #queued = new Map<string, Array<{ seq: bigint; settle: (e?: Error) => void }>>();
  readonly #committing = new Set<string>();

  private acceptSharedly(identity: string, ta: TaState, p: DerivedKeyIdentity): DerivedKeyAcceptance {
    ta.window.accept(p.sequenceNumber); // a second local handshake with this number is refused at once
    const pending = this.#pendingShared.get(p.taId) ?? new Set<bigint>();
    this.#pendingShared.set(p.taId, pending);
    pending.add(p.sequenceNumber);
    const committed = new Promise<void>((resolve, reject) => {
      const queue = this.#queued.get(p.taId) ?? [];
      this.#queued.set(p.taId, queue);
      queue.push({ seq: p.sequenceNumber, settle: (e) => (e ? reject(e) : resolve()) });
    });
    this.commitShared(p.taId);
    this.track(identity, committed);
    return { ok: true, identity: p };
  }

  /** One transaction at a time per TA, carrying every number queued meanwhile (group commit). */
  private commitShared(taId: string): void {
    if (this.#committing.has(taId)) return;
    const batch = this.#queued.get(taId) ?? [];
    if (batch.length === 0) return;
    this.#queued.set(taId, []);
    this.#committing.add(taId);
    const { store, collection } = this.o.shared!;
    const pending = this.#pendingShared.get(taId)!;
    acceptShared(
      store,
      collection,
      taId,
      batch.map((b) => b.seq),
      this.#windowSize,
    )
      .then(
        ({ verdicts, row }) => {
          for (const b of batch) pending.delete(b.seq);
          this.adopt(taId, row);
          for (const b of batch) {
            const v = verdicts.get(b.seq);
            b.settle(v === true ? undefined : v);
          }
        },
        (e: Error) => {
          for (const b of batch) pending.delete(b.seq);
          this.o.onError?.(`DerivedKey shared acceptance failed: ${e.message}`);
          const refusal = new SaefError('DK_JOURNAL', 'shared acceptance failed (store unavailable)');
          for (const b of batch) b.settle(refusal);
        },
      )
      .finally(() => {
        this.#committing.delete(taId);
        this.commitShared(taId);
      });
  }

  /**
   * Synchronous, for the pskCallback: the key for a DK identity, or why not. Changes no state: the
   * handshake has not proved the key yet (a wrong key must not burn the number). Call accept() when
   * the handshake completes.
   */
  check(identity: string): DerivedKeyResolution {
    const v = this.verdict(identity);
    if (!v.ok) return v;
    return { ok: true, key: deriveClientKey(v.ta.key, identity), identity: v.identity };
  }

  /**
   * For the 'secureConnection' event, once the handshake with check()'s key has completed (its
   * Finished messages prove K_RS-C): checks the number again, appends it to the write-ahead journal and
   * marks it in the window. Not ok (a concurrent handshake with the same number completed first, or it
   * was revoked meanwhile, or the journal failed): the caller must destroy the session before it
   * serves anything.
   */
  accept(identity: string): DerivedKeyAcceptance {
    const v = this.verdict(identity);
    if (!v.ok) return v;
    const p = v.identity;
    if (!this.journal) return this.acceptSharedly(identity, v.ta, p);
    let ordinal: number;
    try {
      ordinal = this.journal.append({ taId: p.taId, sequenceNumber: p.sequenceNumber });
    } catch (e) {
      this.o.onError?.((e as Error).message);
      return { ok: false, code: 'DK_JOURNAL', message: (e as Error).message };
    }
    v.ta.window.accept(p.sequenceNumber);
    this.trackDurability(identity, ordinal);
    this.scheduleSnapshot();
    return { ok: true, identity: p };
  }

  /** The anti-replay window size per TA. */
  get windowSize(): number {
    return this.#windowSize;
  }

  private verdict(
    identity: string,
  ): { ok: true; ta: TaState; identity: DerivedKeyIdentity } | { ok: false; code: SaefError['code']; message: string } {
    let p: DerivedKeyIdentity;
    try {
      p = parseDerivedKeyIdentity(identity);
    } catch (e) {
      return { ok: false, code: 'DK_IDENTITY_FORMAT', message: (e as Error).message };
    }
    const ta = this.#tas.get(p.taId);
    if (!ta) return { ok: false, code: 'DK_UNKNOWN_TRUST_ANCHOR', message: `unknown TA ${show(p.taId)}` };
    if (ta.revoked.has(p.sequenceNumber)) {
      return { ok: false, code: 'DK_REVOKED', message: `sequence number ${p.sequenceNumber} of TA ${p.taId} revoked` };
    }
    const w = ta.window.check(p.sequenceNumber);
    if (!w.ok) {
      return {
        ok: false,
        code: 'DK_REPLAY',
        message: `sequence number ${p.sequenceNumber} of TA ${p.taId} refused: ${w.reason}`,
      };
    }
    return { ok: true, ta, identity: p };
  }

  readonly #durable = new Map<string, Promise<void>>();

  private trackDurability(identity: string, ordinal: number): void {
    this.track(identity, this.journal!.durableAfter(ordinal));
  }

  private track(identity: string, p: Promise<void>): void {
    this.#durable.set(identity, p);
    const done = () => {
      if (this.#durable.get(identity) === p) this.#durable.delete(identity);
    };
    p.then(done, (e) => {
      this.o.onError?.((e as Error).message);
      // keep the rejected promise briefly so requests on that session fail closed, then forget it
      setTimeout(done, 60_000).unref();
    });
  }

  /**
   * Resolves when the acceptance of this DK identity is on stable storage; requests of its session
   * must wait for it (the journal's group commit; see journal.ts). Rejects if the sync failed.
   */
  durable(identity: string): Promise<void> {
    const pending = this.#durable.get(identity);
    if (pending) return pending;
    // Fail closed: a number still fresh in the window was never accept()ed, so the session that
    // carries it skipped the completion step and must not be served.
    if (this.verdict(identity).ok) {
      return Promise.reject(
        new SaefError(
          'DK_NOT_ACCEPTED',
          `DerivedKey identity ${show(identity)} was not accepted at handshake completion`,
        ),
      );
    }
    return Promise.resolve();
  }

  /** Verifies and applies a TA's revocation; durable in the store when this resolves. */
  async applyRevocation(input: unknown): Promise<bigint[]> {
    const r: DerivedKeyRevocation = parseRevocation(input);
    const ta = this.#tas.get(r.taId);
    if (!ta) throw new SaefError('REVOCATION_INVALID', `DerivedKey revocation refused: unknown TA ${show(r.taId)}`);
    const seqs = verifyRevocation(ta.key, r);
    for (const s of seqs) ta.revoked.add(s);
    if (this.o.shared) {
      const { store, collection } = this.o.shared;
      this.adopt(r.taId, await revokeShared(store, collection, r.taId, seqs, this.#windowSize, this.#instance));
    } else {
      await this.persist(r.taId, ta);
    }
    for (const l of this.#revocationListeners) l(r.taId, seqs);
    return seqs;
  }

  /** Called after a revocation is applied (the SA function tears down live sessions with it). */
  onRevoked(listener: (taId: string, seqs: bigint[]) => void): void {
    this.#revocationListeners.push(listener);
  }

  hasTrustAnchor(taId: string): boolean {
    return this.#tas.has(taId);
  }

  /** Waits for pending snapshots (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#snapshot) {
      this.#wake?.();
      await this.#snapshot;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.allSettled([...this.#durable.values()]);
    this.journal?.close();
    for (const ta of this.#tas.values()) ta.key.fill(0);
  }

  private scheduleSnapshot(): void {
    if (!this.journal) return;
    this.#dirty = true;
    if (this.#snapshot) return;
    this.#snapshot = (async () => {
      try {
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.o.snapshotDelayMs ?? 1000);
          t.unref();
          this.#wake = () => {
            clearTimeout(t);
            r();
          };
        });
        this.#wake = undefined;
        const journal = this.journal!;
        while (this.#dirty) {
          this.#dirty = false;
          const mark = journal.appended;
          await this.persistAll();
          if (journal.appended === mark) journal.truncate();
        }
      } catch (e) {
        // The journal still holds every acceptance; the next start replays it.
        this.o.onError?.(`DerivedKey window snapshot failed: ${(e as Error).message}`);
      } finally {
        this.#snapshot = undefined;
      }
    })();
  }

  private async persistAll(): Promise<void> {
    for (const [taId, ta] of this.#tas) await this.persist(taId, ta);
  }

  private async persist(taId: string, ta: TaState): Promise<void> {
    const top = ta.window.highest;
    // Revoked numbers left of the window are refused as too old anyway: drop them.
    const revoked = [...ta.revoked].filter((s) => top === undefined || top - s < BigInt(ta.window.size));
    ta.revoked = new Set(revoked);
    await this.o.state!.put(`window:${taId}`, { window: ta.window.toString(), revoked: revoked.map(String) });
  }
}
