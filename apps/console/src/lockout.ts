// Lock-out after repeated sign-in failures, per account and per client address (OWASP Authentication
// Cheat Sheet): N failures inside the window lock the key until the window since the last failure has
// passed. A locked key is refused before its password is checked; success clears the account's count.
export interface LockoutLimits {
  accountFailures: number;
  addressFailures: number;
  windowSeconds: number;
}

export class Lockout {
  readonly #failures = new Map<string, number[]>();
  constructor(
    private readonly limits: LockoutLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowSeconds * 1000;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > since);
    this.#failures.set(key, list);
    return list;
  }

  /** Which key is locked ('account' / 'address'), or undefined. */
  locked(account: string, address: string): 'account' | 'address' | undefined {
    if (this.recent(`a:${account}`).length >= this.limits.accountFailures) return 'account';
    if (this.recent(`i:${address}`).length >= this.limits.addressFailures) return 'address';
    return undefined;
  }

  fail(account: string, address: string): void {
    const t = this.now();
    this.recent(`a:${account}`).push(t);
    this.recent(`i:${address}`).push(t);
  }

  succeed(account: string): void {
    this.#failures.delete(`a:${account}`);
  }
}
