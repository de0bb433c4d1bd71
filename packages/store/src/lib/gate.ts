import { AsyncLocalStorage } from 'node:async_hooks';
import { Mutex } from './mutex.js';

const MISUSE = 'store used directly inside its own transaction(): use the tx handle passed to fn';

/**
 * Serializes transactions of one store instance and lets calls outside a transaction wait for it, so they
 * never see or join its uncommitted writes. Calls made from inside the transaction's async context through
 * the outer store would wait forever; they are rejected instead.
 */
export class Gate {
  readonly #mutex = new Mutex();
  readonly #context = new AsyncLocalStorage<object>();
  #current: object | undefined;
  #closed = false;

  /** Runs `op` outside any transaction (waiting for an active one). */
  outside<T>(op: () => T | Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    if (!this.#mutex.locked) {
      try {
        return Promise.resolve(op());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.#current !== undefined && this.#context.getStore() === this.#current) {
      return Promise.reject(new Error(MISUSE));
    }
    return this.#exclusive(op);
  }

  /** Whether the caller runs inside this store's active transaction (a misuse of the outer store). */
  get insideTransaction(): boolean {
    return this.#current !== undefined && this.#context.getStore() === this.#current;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `body` holding the lock, in an async context that marks it as this transaction. */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('store is closed');
    if (this.#current !== undefined && this.#context.getStore() === this.#current) throw new Error(MISUSE);
    return this.#exclusive(() => {
      const token = {};
      this.#current = token;
      return this.#context.run(token, body);
    });
  }

  /** Waits for the active transaction, then refuses every later call. */
  async close(): Promise<boolean> {
    if (this.#closed) return false;
    await this.#mutex.lock();
    const first = !this.#closed;
    this.#closed = true;
    this.#mutex.unlock();
    return first;
  }

  async #exclusive<T>(op: () => T | Promise<T>): Promise<T> {
    await this.#mutex.lock();
    try {
      if (this.#closed) throw new Error('store is closed');
      return await op();
    } finally {
      if (this.#current !== undefined) {
        // Propagating an AsyncLocalStorage context turns on promise hooks for the whole process (a cost
        // on every promise of every request). Disabled between transactions, they run only while one
        // is open; run() enables them again for the next.
        this.#context.disable();
      }
      this.#current = undefined;
      this.#mutex.unlock();
    }
  }
}
