// In-process delivery of store events: what the SQLite store offers (one process owns the file), and
// the fan-out a PostgreSQL listener connection feeds. A throwing listener never stops the others.
import type { StoreEvents } from '../types.js';
import { checkChannel, checkPayload } from './check-event.js';

export class LocalEventBus implements StoreEvents {
  readonly #listeners = new Map<string, Set<(payload: string | null) => void>>();

  publish(channel: string, payload: string): Promise<void> {
    try {
      this.deliver(checkChannel(channel), checkPayload(payload));
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  subscribe(channel: string, listener: (payload: string | null) => void): Promise<() => void> {
    try {
      return Promise.resolve(this.add(checkChannel(channel), listener));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Adds a listener; returns its removal. Whether this is the channel's first listener: `has` before. */
  add(channel: string, listener: (payload: string | null) => void): () => void {
    const set = this.#listeners.get(channel) ?? new Set();
    this.#listeners.set(channel, set);
    const own = (p: string | null) => listener(p); // the same function subscribed twice is two subscriptions
    set.add(own);
    return () => {
      set.delete(own);
      if (set.size === 0 && this.#listeners.get(channel) === set) this.#listeners.delete(channel);
    };
  }

  channels(): string[] {
    return [...this.#listeners.keys()];
  }

  has(channel: string): boolean {
    return this.#listeners.has(channel);
  }

  deliver(channel: string, payload: string | null): void {
    for (const l of [...(this.#listeners.get(channel) ?? [])]) {
      try {
        l(payload);
      } catch {
        // a listener's failure is its own; the event still reaches the rest
      }
    }
  }
}

/** Events published inside a transaction: held until it commits, dropped if it rolls back. */
export class PendingEvents {
  readonly #queued: Array<[string, string]> = [];
  constructor(private readonly bus: StoreEvents) {}

  readonly events: StoreEvents = {
    publish: (channel, payload) => {
      try {
        this.#queued.push([checkChannel(channel), checkPayload(payload)]);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    subscribe: (channel, listener) => this.bus.subscribe(channel, listener),
  };

  /** After COMMIT. */
  async flush(): Promise<void> {
    for (const [c, p] of this.#queued.splice(0)) await this.bus.publish(c, p).catch(() => undefined);
  }
}
