// Group commit (docs/performance.md): transactions queued while a group runs, or in the same event-loop
// turn, are handed together to the store's `commit`, which runs each in its own savepoint inside one
// database transaction and settles each only after the shared COMMIT. Shared by the SQLite and the
// PostgreSQL store; what a group does inside the database is theirs.
import type { StoreTransaction, TransactionOptions } from '../types.js';
import { checkText } from './check-text.js';
import type { Gate } from './gate.js';

export interface Queued {
  fn: (tx: StoreTransaction) => Promise<unknown>;
  /** TransactionOptions.serializeOn, checked; empty when none. */
  keys: readonly string[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const MISUSE = 'store used directly inside its own transaction(): use the tx handle passed to fn';

export class GroupCommit {
  #queued: Queued[] = [];
  #scheduled = false;

  constructor(
    private readonly gate: Gate,
    private readonly commit: (group: Queued[]) => Promise<void>,
  ) {}

  enqueue<T>(fn: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.gate.closed) return Promise.reject(new Error('store is closed'));
    // Waiting for a group from inside a group's function would never settle: refuse it.
    if (this.gate.insideTransaction) return Promise.reject(new Error(MISUSE));
    let keys: readonly string[];
    try {
      keys = checkKeys(options);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<T>((resolve, reject) => {
      this.#queued.push({ fn: fn as Queued['fn'], keys, resolve: resolve as Queued['resolve'], reject });
      this.#schedule();
    });
  }

  /** After the I/O callbacks of this event-loop turn, so that the requests read in it join the group. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#start());
  }

  #start(): void {
    this.gate
      .transaction(() => {
        this.#scheduled = false;
        return this.commit(this.#queued.splice(0));
      })
      .catch((e: Error) => {
        this.#scheduled = false;
        for (const q of this.#queued.splice(0)) q.reject(e); // the store was closed meanwhile
      })
      .finally(() => {
        if (this.#queued.length > 0) this.#schedule();
      });
  }
}

/** The serializeOn keys of a transaction: strings either store can hold, refused (TypeError) otherwise. */
function checkKeys(options: TransactionOptions | undefined): readonly string[] {
  const keys = options?.serializeOn;
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw new TypeError('serializeOn must be an array of strings');
  for (const k of keys) checkText(k, 'serializeOn key');
  return keys;
}
