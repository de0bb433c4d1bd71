// Defences against password guessing on the username / password listener:
// - lock-out per username after `maxFailures` consecutive failures, for `lockoutSeconds`, kept in the
//   MEF's store so every instance over one database sees the same count;
// - a per-source-address limit of `attemptsPerMinute` authentication attempts (sliding minute, in
//   memory: it throttles one process's CPU spent on argon2, the lock-out is the shared defence).
// A locked username is refused even with the right password until the lock expires.
import type { Collection, Store } from '@m2msec/store';

export interface GuessGuardOptions {
  maxFailures?: number;
  lockoutSeconds?: number;
  attemptsPerMinute?: number;
  now?: () => number;
}

interface FailureRecord {
  failures: number;
  lockedUntil?: number;
}

export type GuardVerdict = { ok: true } | { ok: false; retryAfterSeconds: number; reason: string };

export class GuessGuard {
  readonly #users: Collection<FailureRecord>;
  readonly #attempts = new Map<string, number[]>();
  readonly #now: () => number;
  readonly maxFailures: number;
  readonly lockoutSeconds: number;
  readonly attemptsPerMinute: number;

  constructor(store: Store, o: GuessGuardOptions = {}) {
    this.#users = store.collection<FailureRecord>('mef-user-guard');
    this.#now = o.now ?? Date.now;
    this.maxFailures = o.maxFailures ?? 5;
    this.lockoutSeconds = o.lockoutSeconds ?? 900;
    this.attemptsPerMinute = o.attemptsPerMinute ?? 30;
  }

  /** Counts one attempt from `address` and says whether it may be checked at all. */
  admitAddress(address: string): GuardVerdict {
    const now = this.#now();
    const recent = (this.#attempts.get(address) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.attemptsPerMinute) {
      this.#attempts.set(address, recent);
      const wait = Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000));
      return { ok: false, retryAfterSeconds: wait, reason: 'too many authentication attempts from this address' };
    }
    recent.push(now);
    this.#attempts.set(address, recent);
    if (this.#attempts.size > 10_000) this.#attempts.delete(this.#attempts.keys().next().value!);
    return { ok: true };
  }

  async admitUser(username: string): Promise<GuardVerdict> {
    const r = await this.#users.get(username);
    const now = this.#now();
    if (r?.lockedUntil !== undefined && r.lockedUntil > now) {
      return {
        ok: false,
        retryAfterSeconds: Math.ceil((r.lockedUntil - now) / 1000),
        reason: 'this username is locked after repeated authentication failures',
      };
    }
    return { ok: true };
  }

  async failure(username: string): Promise<void> {
    const r = await this.#users.get(username);
    const now = this.#now();
    const expired = r?.lockedUntil !== undefined && r.lockedUntil <= now;
    const failures = (expired ? 0 : (r?.failures ?? 0)) + 1;
    await this.#users.put(
      username,
      failures >= this.maxFailures ? { failures, lockedUntil: now + this.lockoutSeconds * 1000 } : { failures },
    );
  }

  async success(username: string): Promise<void> {
    if (await this.#users.get(username)) await this.#users.delete(username);
  }

  /** The administrator's unlock (PUT of the user resets it too). */
  async reset(username: string): Promise<void> {
    await this.#users.delete(username);
  }
}
