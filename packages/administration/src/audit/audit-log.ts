// The audit log in the store (DESIGN.md section 5): one Collection, keys ordered by time, so
// records survive restarts and several CSE instances on one PostgreSQL share one log. A record is
// committed before the request it describes is answered (the caller awaits record()).
import { randomBytes } from 'node:crypto';
import type { Collection } from '@m2msec/store';
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

export class AuditLog {
  /** Orders this process's records within one millisecond (the random tail alone did not: a flaky order). */
  #sequence = 0;

  readonly #failures: FailureThrottle;

  constructor(
    private readonly collection: Collection<AuditEvent>,
    private readonly now: () => Date = () => new Date(),
    failures: FailureThrottleOptions = {},
  ) {
    this.#failures = new FailureThrottle(failures);
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
    const key = `${String(at.getTime()).padStart(15, '0')}-${seq}-${randomBytes(6).toString('hex')}`;
    await this.collection.put(key, event);
    return event;
  }

  /** Records matching the query, oldest first, the newest `limit` of them. */
  async query(q: AuditQuery = {}): Promise<AuditEvent[]> {
    const at = this.now();
    for (const d of this.#failures.drain(at.getTime(), true)) await this.#put(d, at);
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), MAX_LIMIT);
    const since = q.since?.getTime();
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
