// Secondary indexes of a collection (docs/storage.md). Each indexed value lives in a column of the
// collection's own row (i1..i3, u1), so it is written by the same statement as the value: there is no
// separate index to fall out of step, and a lookup by it is one index range on both engines.
import type { CollectionOptions, IndexSpec } from '../types.js';
import { checkText } from './check-text.js';

/** Non-unique slots per collection, and unique ones (columns i1..i3 and u1). */
export const MAX_INDEXES = 3;
export const MAX_UNIQUE_INDEXES = 1;

export type Slot = 'i1' | 'i2' | 'i3' | 'u1';
export const SLOTS: readonly Slot[] = ['i1', 'i2', 'i3', 'u1'];

export interface ResolvedIndex {
  name: string;
  slot: Slot;
  unique: boolean;
  key: (value: never) => string | undefined;
}

/** The indexes of one collection, by name; `values(v)` gives the column values in SLOTS order. */
export class CollectionIndexes {
  readonly #byName = new Map<string, ResolvedIndex>();
  readonly signature: string;

  constructor(
    readonly collection: string,
    spec: Record<string, IndexSpec<never>> | undefined,
  ) {
    let plain = 0;
    let unique = 0;
    for (const [name, s] of Object.entries(spec ?? {})) {
      checkText(name, 'index name');
      if (typeof s?.key !== 'function') throw new TypeError(`index ${collection}.${name} needs a key function`);
      const isUnique = s.unique === true;
      if (isUnique ? unique >= MAX_UNIQUE_INDEXES : plain >= MAX_INDEXES) {
        throw new TypeError(
          `collection ${collection}: at most ${MAX_INDEXES} non-unique and ${MAX_UNIQUE_INDEXES} unique index`,
        );
      }
      const slot: Slot = isUnique ? (`u${++unique}` as Slot) : (`i${++plain}` as Slot);
      this.#byName.set(name, { name, slot, unique: isUnique, key: s.key });
    }
    this.signature = [...this.#byName.values()].map((i) => `${i.name}:${i.slot}`).join(',');
  }

  get size(): number {
    return this.#byName.size;
  }

  /** The index named `name`; TypeError if the collection declares none by that name. */
  get(name: string): ResolvedIndex {
    const i = typeof name === 'string' ? this.#byName.get(name) : undefined;
    if (!i) throw new TypeError(`collection ${this.collection} has no index ${JSON.stringify(name)}`);
    return i;
  }

  /** Column values for SLOTS (null: not indexed), checked like keys. */
  values(value: unknown): Array<string | null> {
    const out: Array<string | null> = [null, null, null, null];
    for (const i of this.#byName.values()) {
      const v = (i.key as (v: unknown) => unknown)(value);
      if (v === undefined || v === null) continue;
      out[SLOTS.indexOf(i.slot)] = checkText(v, `index ${this.collection}.${i.name} value`, true);
    }
    return out;
  }
}

/**
 * The index declarations of one store instance, shared with its transaction handles: a collection is
 * declared once (with indexes or without), and every later `collection(name)` — a tx handle's too —
 * maintains the same indexes. Declaring other indexes for a declared name is a TypeError.
 */
export class IndexRegistry {
  readonly #declared = new Map<string, CollectionIndexes>();

  /** The indexes `name` has now (none if never declared). Ops read this on every call. */
  of(name: string): CollectionIndexes {
    let known = this.#declared.get(name);
    if (!known) {
      known = new CollectionIndexes(name, undefined);
      this.#declared.set(name, known);
    }
    return known;
  }

  resolve(name: string, options: CollectionOptions<never> | undefined): CollectionIndexes {
    checkText(name, 'collection name');
    const known = this.#declared.get(name);
    if (options?.indexes === undefined) {
      if (known) return known;
      const none = new CollectionIndexes(name, undefined);
      this.#declared.set(name, none);
      return none;
    }
    const wanted = new CollectionIndexes(name, options.indexes);
    if (known && known.size > 0 && known.signature !== wanted.signature) {
      throw new TypeError(`collection ${name} was declared with other indexes (${known.signature})`);
    }
    if (!known || known.size === 0) this.#declared.set(name, wanted);
    return this.#declared.get(name)!;
  }
}

/**
 * An index value that orders like the number: a non-negative safe integer (an epoch in ms, a counter)
 * as 16 zero-padded digits, so `range` over it is ordered by time.
 */
export function sortableNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('sortableNumber needs a non-negative safe integer');
  return String(n).padStart(16, '0');
}
