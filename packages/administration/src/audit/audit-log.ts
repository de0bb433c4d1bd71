// The audit log in the store (DESIGN.md section 5): one Collection, keys ordered by time, so
// records survive restarts and several CSE instances on one PostgreSQL share one log. A record is
// committed before the request it describes is answered (the caller awaits record()).
import { randomBytes } from 'node:crypto';
import type { Collection, CollectionStore } from '@m2msec/store';
import { type AuditEvent, type AuditEventInput, type AuditEventKind, cleanAuditEvent } from './audit-event.js';
import { FailureThrottle, type FailureThrottleOptions } from './failure-throttle.js';

export interface AuditQuery {
  kind?: AuditEventKind;
  /** Only records at or after this time. */
  since?: Date;
  /** At most this many, the newest (default 100, at most 1000). */
  limit?: number;
}

export const AUDIT_COLLECTION = 'audit-log';
const MAX_LIMIT = 1000;
const TIME_DIGITS = 15;
const MAX_TIME = 10 ** TIME_DIGITS - 1;

/**
 * Bounded retention (rotation): records older than `maxAgeMs` are deleted, oldest first, at most
 * `batch` per step, every `everyRecords` records written. Default: 90 days, 500, 100.
 */
export interface AuditRetention {
  maxAgeMs?: number;
  everyRecords?: number;
  batch?: number;
}

/** Newest first: the time (and key) inverted, so an ascending index walk starts with the newest record. */
const newestFirst = (key: string) =>
  `${String(MAX_TIME - Number(key.slice(0, TIME_DIGITS))).padStart(TIME_DIGITS, '0')}${key.slice(TIME_DIGITS)}`;
const sinceBound = (since: number) => `${String(MAX_TIME - since).padStart(TIME_DIGITS, '0')}~`;

// Declared on the store: query reads the newest matching records through these, never the whole log.
const auditIndexes = {
  newest: { key: (e: AuditEvent & { k?: string }) => (e.k === undefined ? undefined : newestFirst(e.k)) },
  kind: { key: (e: AuditEvent & { k?: string }) => (e.k === undefined ? undefined : `${e.kind}|${newestFirst(e.k)}`) },
};

export class AuditLog {
  /** Orders this process's records within one millisecond (the random tail alone did not: a flaky order). */
  #sequence = 0;

  readonly #failures: FailureThrottle;

  private readonly collection: Collection<AuditEvent>;
  /** Whether the collection has the audit indexes (given the store, not a bare Collection). */
  readonly #indexed: boolean;
  readonly #maxAgeMs: number;
  readonly #every: number;
  readonly #batch: number;
  #written = 0;

  /**
   * `source`: the store (the collection AUDIT_COLLECTION is opened with its indexes, so query is an
   * index walk), or a Collection (the earlier form: query then reads the whole log).
   */
  constructor(
    source: Collection<AuditEvent> | CollectionStore,
    private readonly now: () => Date = () => new Date(),
    failures: FailureThrottleOptions = {},
    retention: AuditRetention = {},
  ) {
    this.#failures = new FailureThrottle(failures);
    this.#indexed = 'transaction' in source;
    this.collection =
      'transaction' in source
        ? source.collection<AuditEvent>(AUDIT_COLLECTION, { indexes: auditIndexes as never })
        : source;
    this.#maxAgeMs = positive(retention.maxAgeMs ?? 90 * 86_400_000, 'retention.maxAgeMs');
    this.#every = positive(retention.everyRecords ?? 100, 'retention.everyRecords');
    this.#batch = positive(retention.batch ?? 500, 'retention.batch');
  }

  /**
   * Deletes records older than the retention age, oldest first (keys order by time), at most one
   * batch; returns how many. Runs by itself every `everyRecords` records.
   */
  async rotate(): Promise<number> {
    const cutoff = this.now().getTime() - this.#maxAgeMs;
    let n = 0;
    for (const { key } of await this.collection.list('', this.#batch)) {
      if (Number(key.slice(0, TIME_DIGITS)) >= cutoff) break;
      if (await this.collection.delete(key)) n++;
    }
    return n;
  }

  /**
   * Records an event (cleaned: known fields, text cut and stripped of control characters). An
   * authentication failure whose source already has a record in the current window is only counted
   * (failure-throttle.ts); the counts are written when the window ends or the log is read.
   */
  async record(e: AuditEventInput): Promise<AuditEvent> {
    const at = this.now();
    const due = this.#failures.drain(at.getTime());
    for (const d of due) await this.#put(d, at);
    if (e.kind === 'authentication-failure' && !this.#failures.admit(e, at.getTime())) return cleanAuditEvent(e, at);
    return this.#put(e, at);
  }

  async #put(e: AuditEventInput, at: Date): Promise<AuditEvent> {
    const event = cleanAuditEvent(e, at);
    // Fixed-width time first: keys sort by time, then by this process's sequence; the random tail keeps
    // keys of several instances sharing one store apart.
    const seq = String(this.#sequence++ % 1e9).padStart(9, '0');
    const key = `${String(at.getTime()).padStart(TIME_DIGITS, '0')}-${seq}-${randomBytes(6).toString('hex')}`;
    // The key rides along (k) so the indexes can be computed from the value; query strips it.
    await this.collection.put(key, this.#indexed ? ({ ...event, k: key } as AuditEvent) : event);
    if (++this.#written % this.#every === 0) await this.rotate();
    return event;
  }

  /** Records matching the query, oldest first, the newest `limit` of them. */
  async query(q: AuditQuery = {}): Promise<AuditEvent[]> {
    const at = this.now();
    for (const d of this.#failures.drain(at.getTime(), true)) await this.#put(d, at);
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), MAX_LIMIT);
    const since = q.since?.getTime();
    if (this.#indexed) {
      const below = since === undefined ? undefined : sinceBound(since);
      const newest = q.kind
        ? await this.collection.range('kind', {
            from: `${q.kind}|`,
            below: `${q.kind}|${below ?? '~'}`,
            limit,
          })
        : await this.collection.range('newest', { ...(below !== undefined ? { below } : {}), limit });
      return newest.reverse().map(({ value }) => {
        const { k: _k, ...event } = value as AuditEvent & { k?: string };
        return event as AuditEvent;
      });
    }
    const all = await this.collection.list();
    const out: AuditEvent[] = [];
    for (const { key, value } of all) {
      if (since !== undefined && Number(key.slice(0, 15)) < since) continue;
      if (q.kind && value.kind !== q.kind) continue;
      out.push(value);
    }
    return out.slice(-limit);
  }
}

function positive(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer`);
  return n;
}
