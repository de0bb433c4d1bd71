// Requests the CSE side has already taken, by originator and rqi, so that a request published again is
// answered with the response it already got instead of being executed twice. MQTT's QoS 1 is "at least
// once" (a PUBLISH without PUBACK is re-sent by the client), and an originator re-sends whatever is
// unanswered after it failed over to another node of a clustered broker (MqttOriginator): without this a
// repeated CREATE would make a second resource. The originator level of the topic is the one the broker's
// ACL bound to the session (TS-0010 7.4), so one originator can never get another's stored response; the
// payload digest must match too, so a different request that reuses an rqi is executed as itself.
import { createHash } from 'node:crypto';
import type { HandlerResponse } from '@m2msec/protocol';

export interface AnsweredRequestsOptions {
  /** How long a response is kept for repeats, in ms (default 120 s: longer than any originator's timeout). */
  windowMs?: number;
  /** Most requests remembered (default 10 000); the oldest go first. */
  maxEntries?: number;
}

interface Entry {
  digest: string;
  at: number;
  response: Promise<HandlerResponse>;
}

export class AnsweredRequests {
  readonly #entries = new Map<string, Entry>();
  readonly #windowMs: number;
  readonly #max: number;

  constructor(o: AnsweredRequestsOptions = {}) {
    this.#windowMs = o.windowMs ?? 120_000;
    this.#max = o.maxEntries ?? 10_000;
    if (!(this.#windowMs > 0) || !Number.isSafeInteger(this.#max) || this.#max < 1) {
      throw new TypeError('AnsweredRequests: windowMs and maxEntries must be positive');
    }
  }

  /**
   * The response already given (or being made) to this very request, or undefined after `execute` was
   * started and remembered for it. `execute` runs at most once per (originator, rqi, payload) in the window.
   */
  answer(
    originator: string,
    rqi: string,
    payload: Buffer,
    execute: () => Promise<HandlerResponse>,
    now = Date.now(),
  ): { repeated: boolean; response: Promise<HandlerResponse> } {
    this.#expire(now);
    const key = `${originator}\n${rqi}`;
    const digest = createHash('sha256').update(payload).digest('base64');
    const known = this.#entries.get(key);
    if (known !== undefined && known.digest === digest) return { repeated: true, response: known.response };
    const response = execute();
    this.#entries.delete(key);
    this.#entries.set(key, { digest, at: now, response });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return { repeated: false, response };
  }

  get size(): number {
    return this.#entries.size;
  }

  #expire(now: number): void {
    // Insertion order is time order: stop at the first one still inside the window.
    for (const [key, e] of this.#entries) {
      if (now - e.at < this.#windowMs) break;
      this.#entries.delete(key);
    }
  }
}
