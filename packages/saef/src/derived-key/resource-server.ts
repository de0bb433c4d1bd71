// The resource server side of DerivedKey mode: recognises DK. identities in psk_identity, derives
// K_RS-C from the TA's K_RS-TA, and admits each sequence number once through a 64-entry sliding
// window per TA (replays and numbers left of the window refused), minus the numbers the TA revoked.
// Durability: see journal.ts (write-ahead, an O_DSYNC append inside the synchronous pskCallback) and
// docs/security-association.md. The windows and revocations live in a store Collection.
import { ReplayWindow } from '@m2msec/crypto';
import type { Collection } from '@m2msec/store';
import { SaefError, show } from '../lib/errors.js';
import { deriveClientKey } from './derive.js';
import { type DerivedKeyIdentity, parseDerivedKeyIdentity } from './identity.js';
import { AcceptJournal } from './journal.js';
import { type DerivedKeyRevocation, parseRevocation, verifyRevocation } from './revocation.js';

export interface DerivedKeyWindowState {
  /** ReplayWindow.toString(). */
  window: string;
  /** Revoked sequence numbers still inside or right of the window (decimal). */
  revoked: string[];
}

export interface DerivedKeyResourceServerOptions {
  /** K_RS-TA per TA_id. */
  trustAnchors: ReadonlyArray<{ taId: string; key: Uint8Array }>;
  /** Persistent windows (key `window:<taId>`). */
  state: Collection<DerivedKeyWindowState>;
  /** Write-ahead journal file (local to this instance). */
  journalPath: string;
  /**
   * How long acceptances gather before the windows are written to the store and the journal emptied
   * (default 1000 ms). The journal already makes each acceptance durable; the snapshot only compacts,
   * so it is batched (a synchronous SQLite commit per handshake would stall the event loop).
   */
  snapshotDelayMs?: number;
  onError?: (message: string) => void;
}

export type DerivedKeyResolution =
  | { ok: true; key: Buffer; identity: DerivedKeyIdentity }
  | { ok: false; code: SaefError['code']; message: string };

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

  private constructor(
    private readonly o: DerivedKeyResourceServerOptions,
    private readonly journal: AcceptJournal,
  ) {}

  /** Loads windows, replays the journal over them, persists the result, empties the journal. */
  static async open(o: DerivedKeyResourceServerOptions): Promise<DerivedKeyResourceServer> {
    const { journal, entries } = AcceptJournal.open(o.journalPath);
    const rs = new DerivedKeyResourceServer(o, journal);
    for (const ta of o.trustAnchors) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(ta.taId)) throw new SaefError('INVALID_INPUT', `TA_id ${show(ta.taId)}`);
      const saved = await o.state.get(`window:${ta.taId}`);
      rs.#tas.set(ta.taId, {
        key: Buffer.from(ta.key),
        window: saved ? ReplayWindow.parse(saved.window) : new ReplayWindow(),
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

  /**
   * Synchronous, for the pskCallback: the key for a DK identity, or why not. On success the sequence
   * number is already durable in the journal and marked in the window.
   */
  resolve(identity: string): DerivedKeyResolution {
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
    const verdict = ta.window.check(p.sequenceNumber);
    if (!verdict.ok) {
      return {
        ok: false,
        code: 'DK_REPLAY',
        message: `sequence number ${p.sequenceNumber} of TA ${p.taId} refused: ${verdict.reason}`,
      };
    }
    let ordinal: number;
    try {
      ordinal = this.journal.append({ taId: p.taId, sequenceNumber: p.sequenceNumber });
    } catch (e) {
      this.o.onError?.((e as Error).message);
      return { ok: false, code: 'DK_JOURNAL', message: (e as Error).message };
    }
    ta.window.accept(p.sequenceNumber);
    this.trackDurability(identity, ordinal);
    this.scheduleSnapshot();
    return { ok: true, key: deriveClientKey(ta.key, identity), identity: p };
  }

  readonly #durable = new Map<string, Promise<void>>();

  private trackDurability(identity: string, ordinal: number): void {
    const p = this.journal.durableAfter(ordinal);
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
    return this.#durable.get(identity) ?? Promise.resolve();
  }

  /** Verifies and applies a TA's revocation; durable in the store when this resolves. */
  async applyRevocation(input: unknown): Promise<bigint[]> {
    const r: DerivedKeyRevocation = parseRevocation(input);
    const ta = this.#tas.get(r.taId);
    if (!ta) throw new SaefError('REVOCATION_INVALID', `DerivedKey revocation refused: unknown TA ${show(r.taId)}`);
    const seqs = verifyRevocation(ta.key, r);
    for (const s of seqs) ta.revoked.add(s);
    await this.persist(r.taId, ta);
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
    this.journal.close();
    for (const ta of this.#tas.values()) ta.key.fill(0);
  }

  private scheduleSnapshot(): void {
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
        while (this.#dirty) {
          this.#dirty = false;
          const mark = this.journal.appended;
          await this.persistAll();
          if (this.journal.appended === mark) this.journal.truncate();
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
    const revoked = [...ta.revoked].filter((s) => top === undefined || top - s < BigInt(ReplayWindow.SIZE));
    ta.revoked = new Set(revoked);
    await this.o.state.put(`window:${taId}`, { window: ta.window.toString(), revoked: revoked.map(String) });
  }
}
