// Storage contracts (DESIGN.md section 5). Every implementation passes the same contract suite
// (test/contract.ts). Acknowledged writes are committed before the promise resolves.

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

/** Query for children or a subtree; all given conditions must hold (filterOperation AND). */
export interface ResourceQuery {
  ty?: number[]; // any of
  lbl?: string[]; // has any of
  cra?: string; // created after (exclusive)
  crb?: string; // created before (exclusive)
  exa?: string; // expires after
  exb?: string; // expires before
  ms?: string; // lastModifiedTime >= (modifiedSince)
  us?: string; // lastModifiedTime < (unmodifiedSince)
  /** Max depth below the start (1 = children only). Omitted: the whole subtree. */
  lvl?: number;
  lim?: number;
  ofst?: number;
  /** Order by ct (then ri); 'desc' returns newest first. Default 'asc'. */
  order?: 'asc' | 'desc';
}

export interface ResourceStore {
  get(ri: string): Promise<StoredResource | undefined>;
  getBySrn(srn: string): Promise<StoredResource | undefined>;
  /** Direct children of `pi` matching the query (lvl ignored). */
  children(pi: string, q?: ResourceQuery): Promise<StoredResource[]>;
  /** Descendants of `ri` (not `ri` itself) matching the query, breadth irrelevant, ordered by ct. */
  descendants(ri: string, q?: ResourceQuery): Promise<StoredResource[]>;
  countChildren(pi: string, ty?: number): Promise<number>;
  /** Inserts; rejects with StoreConflictError if ri or srn exists. */
  create(r: StoredResource): Promise<void>;
  /** Replaces the stored resource with the same ri; rejects with StoreNotFoundError if absent. */
  update(r: StoredResource): Promise<void>;
  /** Deletes `ri` and its whole subtree; returns the deleted resources (parent first). */
  delete(ri: string): Promise<StoredResource[]>;
  /** Resources whose et is before `now`, oldest first, at most `limit`. */
  expired(now: string, limit: number): Promise<StoredResource[]>;
}

/** A small keyed JSON table per concern (credentials registries, replay windows, sessions, audit). */
export interface Collection<T = unknown> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  /** Inserts only if absent; returns false if the key existed. */
  insert(key: string, value: T): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /** Keys with the given prefix, ordered, at most `limit`. */
  list(prefix?: string, limit?: number): Promise<Array<{ key: string; value: T }>>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  resources: ResourceStore;
  collection<T = unknown>(name: string): Collection<T>;
  /**
   * Runs `fn` in one transaction: all its writes commit together or none do. Transactions are
   * serialized per store instance; `fn` must use the `tx` handle, not the outer store.
   */
  transaction<T>(fn: (tx: Omit<Store, 'transaction' | 'close'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
}
