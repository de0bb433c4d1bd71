// Storage contracts (DESIGN.md section 5). Every implementation passes the same contract suite
// (test/contract.ts). Acknowledged writes are committed before the promise resolves.
// Input neither backend can store (ill-formed Unicode, U+0000, non-JSON values, a malformed srn or query)
// is rejected with a TypeError before anything is written; lookups with such keys find nothing.

/**
 * A stored resource: its oneM2M attributes under their short names (as in the JSON serialization of
 * TS-0004 clause 8), plus `srn`, the structured CSE-relative path ('cse-in/ae1/cnt1') kept for addressing.
 * The store indexes ri, pi, srn, ty, ct, et and lbl; every other attribute is opaque JSON to it.
 */
export interface StoredResource {
  ri: string;
  pi: string; // '' for the CSEBase
  rn: string;
  ty: number;
  srn: string;
  ct: string; // creationTime, TS-0004 m2m:timestamp 'YYYYMMDDTHHMMSS' (lexicographically ordered)
  lt: string;
  et?: string;
  lbl?: string[];
  [attribute: string]: unknown;
}

/**
 * Query for children or a subtree; all given conditions must hold (filterOperation AND).
 * Time bounds are half-open intervals as in TS-0004 Table 7.3.3.17.0-1 (clauses 7.3.3.17.1, .2, .4):
 * the "after"/"since" bound is inclusive, the "before" bound exclusive. A resource without `et`
 * never matches exa / exb. Timestamps compare as strings, so use one format (m2m:timestamp).
 * Unknown keys are rejected (TypeError) rather than ignored, so a filter never silently widens.
 */
export interface ResourceQuery {
  ty?: number[]; // any of (7.3.3.17.6)
  lbl?: string[]; // has any of (7.3.3.17.5)
  cra?: string; // createdAfter: cra <= ct
  crb?: string; // createdBefore: ct < crb
  exa?: string; // expireAfter: exa <= et
  exb?: string; // expireBefore: et < exb
  ms?: string; // modifiedSince: ms <= lt
  us?: string; // unmodifiedSince: lt < us
  /** Max depth below the start (1 = children only; 7.3.3.17.14). Omitted: the whole subtree. */
  lvl?: number;
  /** At most this many results (7.3.3.17.10); non-negative integer. */
  lim?: number;
  /** Skip this many matching results first (7.3.3.17.15); non-negative integer. */
  ofst?: number;
  /**
   * Order by ct (then ri); 'desc' returns newest first. Default 'asc'. 'path' orders by srn in code point
   * order (a parent before its descendants): the store's own index order, so a subtree query with `lim`
   * reads about `lim` rows instead of sorting every match (TS-0004 7.3.3.14 discovery, 7.3.3.17.10 limit).
   */
  order?: 'asc' | 'desc' | 'path';
  /**
   * Keyset cursor for order 'path': only resources whose srn sorts after this one (the last srn of the
   * previous page). Lets a caller page through a large subtree at a cost per page that does not grow
   * with the pages already read, unlike `ofst`.
   */
  after?: string;
}

export interface ResourceStore {
  get(ri: string): Promise<StoredResource | undefined>;
  getBySrn(srn: string): Promise<StoredResource | undefined>;
  /** Direct children of `pi` matching the query (lvl ignored). */
  children(pi: string, q?: ResourceQuery): Promise<StoredResource[]>;
  /** Descendants of `ri` (not `ri` itself) matching the query, breadth irrelevant, ordered by ct. */
  descendants(ri: string, q?: ResourceQuery): Promise<StoredResource[]>;
  countChildren(pi: string, ty?: number): Promise<number>;
  /**
   * Inserts; rejects with StoreConflictError if ri or srn exists, with StoreNotFoundError if `pi` is
   * not '' and no resource `pi` exists whose srn is the parent path of `r.srn` (the store keeps the
   * ri/pi tree and the srn tree identical, enforced by the database so that it holds across processes).
   */
  create(r: StoredResource): Promise<void>;
  /**
   * Replaces the stored resource with the same ri; rejects with StoreNotFoundError if absent and with
   * TypeError if the update would change pi, srn or ty (a resource never moves).
   */
  update(r: StoredResource): Promise<void>;
  /** Deletes `ri` and its whole subtree atomically; returns the deleted resources (parent first), [] if absent. */
  delete(ri: string): Promise<StoredResource[]>;
  /** Resources whose et is before `now`, oldest first, at most `limit`. */
  expired(now: string, limit: number): Promise<StoredResource[]>;
}

/** An entry of a collection. */
export interface Entry<T> {
  key: string;
  value: T;
}

/**
 * A secondary index of a collection: `key(value)` gives the indexed text of a value (undefined: the
 * value is not in this index). Unique: no two keys of the collection may share a value (a write that
 * would is a StoreConflictError). Numbers are indexed through `sortableNumber` so they order by value.
 */
export interface IndexSpec<T> {
  key: (value: T) => string | undefined;
  unique?: boolean;
}

/**
 * How a collection is indexed, declared once per store instance (its tx handles inherit it): at most
 * three non-unique indexes and one unique index. Each indexed value is kept in the entry's own row and
 * written with it, so an index is never out of step with the values, in or out of transactions.
 */
export interface CollectionOptions<T> {
  indexes?: Record<string, IndexSpec<T>>;
}

/** Bounds of a walk along an index: `from <= indexed value < below`, ordered by that value, then key. */
export interface IndexRange {
  from?: string;
  below?: string;
  limit?: number;
}

/**
 * A small keyed JSON table per concern (credentials registries, replay windows, sessions, audit).
 * Values must be JSON (what JSON.stringify keeps survives); keys order by Unicode code point.
 * Every method is an indexed read or write; `list` without a prefix and a limit reads the whole
 * collection and belongs on administration paths only (docs/storage.md).
 */
export interface Collection<T = unknown> {
  get(key: string): Promise<T | undefined>;
  /** Writes the value and its index values together; StoreConflictError if a unique index value is taken. */
  put(key: string, value: T): Promise<void>;
  /** Inserts only if absent; returns false if the key existed (StoreConflictError on a unique index clash). */
  insert(key: string, value: T): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /** Keys with the given prefix, ordered by code point, at most `limit` (default: all), after skipping `offset`. */
  list(prefix?: string, limit?: number, offset?: number): Promise<Array<Entry<T>>>;
  /** Entries whose index `index` holds exactly `value`, ordered by key, at most `limit` (default: all). */
  find(index: string, value: string, limit?: number): Promise<Array<Entry<T>>>;
  /** Entries along index `index` within the bounds (an expiry sweep: `{ below: now, limit }`). */
  range(index: string, bounds: IndexRange): Promise<Array<Entry<T>>>;
}

/**
 * Change events between the processes that share a store (DESIGN.md section 6: hot state cached per
 * instance, invalidated by the store). PostgreSQL: NOTIFY/LISTEN on one dedicated connection, so every
 * instance on the same database and schema hears it; SQLite: the process that opened the file only.
 * Delivery is a hint, not a log: a listener may miss an event (a reconnect), so it rereads the store,
 * and a state machine never decides on an event alone — the store row under a transaction decides.
 */
export interface StoreEvents {
  /**
   * Sends `payload` (at most 7,000 bytes) on `channel` ([a-z0-9-], 1..40). Outside a transaction it goes at
   * once; from a transaction's `tx.events`, on commit only.
   */
  publish(channel: string, payload: string): Promise<void>;
  /**
   * Calls `listener` for every event on `channel` (own events included); resolves when listening. After
   * the event connection was lost and re-established, `listener(null)` says events may have been missed:
   * reread what you cache.
   */
  subscribe(channel: string, listener: (payload: string | null) => void): Promise<() => void>;
}

/**
 * Keyed collections, transactions and events without the resource tree: what the role stores (MEF, MAF,
 * BSF, audit, replay guards) need. Every Store is one, `openMemoryStore()` included (held in memory only).
 */
export interface CollectionStore {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  /** Change events to the other instances sharing this store. */
  readonly events: StoreEvents;
  /**
   * The collection `name`. The first call that gives `options.indexes` declares its indexes for this
   * store instance (and its tx handles); a later call naming other indexes is a TypeError.
   */
  collection<T = unknown>(name: string, options?: CollectionOptions<T>): Collection<T>;
  transaction<T>(fn: (tx: CollectionTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

export type CollectionTransaction = Omit<CollectionStore, 'transaction' | 'close'>;

export interface Store extends CollectionStore {
  resources: ResourceStore;
  /**
   * Runs `fn` in one transaction: all its writes commit together or none do; if `fn` throws, nothing
   * is written and the error is rethrown. Transactions are serialized per store instance (and across
   * processes: SQLite BEGIN IMMEDIATE, PostgreSQL SERIALIZABLE). `fn` must use the `tx` handle, not the
   * outer store (doing so rejects with an Error instead of deadlocking). On PostgreSQL `fn` is re-run
   * when another process's concurrent transaction conflicts (SQLSTATE 40001/40P01), so keep `fn` free
   * of side effects outside the store (send notifications after it resolves).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /**
   * Names (e.g. a container's ri) of rows this transaction reads and then rewrites where other processes
   * do the same at a high rate (a container's cni/cbs under concurrent instance creates). Transactions
   * naming the same key run one after another across every process sharing the store, instead of
   * aborting each other: on PostgreSQL a SERIALIZABLE conflict is otherwise re-run with backoff, and one
   * process's back-to-back commits can starve another's re-runs until they give up (SQLSTATE 40001).
   * SQLite already runs whole transactions one at a time (BEGIN IMMEDIATE), so there it changes nothing.
   * Each key is a non-empty string; a few per transaction.
   */
  serializeOn?: readonly string[];
}

/**
 * What a transaction's function may use. Its `events.publish` is transactional: delivered when the
 * transaction commits (PostgreSQL NOTIFY semantics), dropped when it rolls back or is re-run.
 */
export type StoreTransaction = Omit<Store, 'transaction' | 'close'>;

export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
}
