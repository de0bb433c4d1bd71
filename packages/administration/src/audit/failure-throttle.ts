// Authentication failures are recorded at the rate of distinct sources, not of requests. Every refused
// request used to be one committed audit record: anyone who can reach a listener (4107 on the plain listener
// of the secure profile, 4106 with a bound AE-ID's From) could make the CSE write and sync a record per
// request, growing the log without bound. Now the first failure of a source (sourceKey below) in a window is
// recorded at once; repeats in that window are counted and
// written as one record with `repeated` when the window ends, and distinct sources beyond a cap per window
// are counted into one overflow record. docs/administration.md "Audit log" has the numbers.
import type { AuditEventInput } from './audit-event.js';

export interface FailureThrottleOptions {
  /** Length of a counting window (default 60 s). */
  windowMs?: number;
  /** Distinct sources recorded one by one per window (default 600); the rest go into one overflow record. */
  maxSourcesPerWindow?: number;
}

interface Source {
  event: AuditEventInput;
  suppressed: number;
}

// What makes two failures the same for the log: who (channel, framework, credential, originator, peer) and
// what they were told (op, target, status, reason). A flood that varies any of these is bounded by the cap.
const sourceKey = (e: AuditEventInput) =>
  JSON.stringify([e.channel, e.framework, e.credential, e.originator, e.peerAddress, e.op, e.to, e.rsc, e.reason]);

export class FailureThrottle {
  readonly #windowMs: number;
  readonly #max: number;
  #window = -1;
  #sources = new Map<string, Source>();
  #overflow = 0;
  /** Aggregates of windows that ended, not yet written. */
  #ended: AuditEventInput[] = [];

  constructor(o: FailureThrottleOptions = {}) {
    this.#windowMs = o.windowMs ?? 60_000;
    this.#max = o.maxSourcesPerWindow ?? 600;
    if (!(this.#windowMs > 0) || !Number.isSafeInteger(this.#max) || this.#max < 1)
      throw new TypeError('FailureThrottle: windowMs must be > 0 and maxSourcesPerWindow an integer >= 1');
  }

  /** Whether this failure, at time `now` (ms), is recorded now (true) or only counted (false). */
  admit(e: AuditEventInput, now: number): boolean {
    this.#roll(now);
    const key = sourceKey(e);
    const known = this.#sources.get(key);
    if (known) {
      known.suppressed++;
      return false;
    }
    if (this.#sources.size >= this.#max) {
      this.#overflow++;
      return false;
    }
    this.#sources.set(key, { event: e, suppressed: 0 });
    return true;
  }

  /**
   * The aggregate records to write: those of ended windows, and with `current` also the counts of the
   * running window so far (which then start again from zero, so nothing is counted twice).
   */
  drain(now: number, current = false): AuditEventInput[] {
    this.#roll(now);
    const out = this.#ended;
    this.#ended = [];
    if (current) out.push(...this.#aggregates());
    return out;
  }

  #roll(now: number): void {
    const w = Math.floor(now / this.#windowMs);
    if (w === this.#window) return;
    this.#ended.push(...this.#aggregates());
    this.#sources = new Map();
    this.#window = w;
  }

  /** Records for the counts gathered so far, which are reset. */
  #aggregates(): AuditEventInput[] {
    const out: AuditEventInput[] = [];
    for (const s of this.#sources.values()) {
      if (s.suppressed === 0) continue;
      out.push({ ...s.event, repeated: s.suppressed });
      s.suppressed = 0;
    }
    if (this.#overflow > 0) {
      out.push({
        kind: 'authentication-failure',
        reason: `authentication failures from more than ${this.#max} sources in one window: not recorded one by one`,
        repeated: this.#overflow,
      });
      this.#overflow = 0;
    }
    return out;
  }
}
