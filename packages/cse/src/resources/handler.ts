// What the CSE core needs to know about one resource type: where it may live, how it is created,
// updated and deleted beyond the generic attribute handling.
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';

export interface CreateInput {
  ctx: RequestContext;
  parent: StoredResource;
  /** Validated attributes from the request content. */
  attrs: Record<string, unknown>;
  /** The new resource with universal attributes (ri, pi, rn, ty, ct, lt, srn) already filled. */
  resource: StoredResource;
}

export interface ResourceTypeHandler {
  ty: number;
  /** Parent types this type may be created under (TS-0001 resource tree). */
  parents: readonly number[];
  /** Whether the type carries an accessControlPolicyIDs attribute (TS-0001 10.2.3). */
  hasAcpi: boolean;
  /** Prefix of generated resource IDs. */
  idPrefix: string;
  /** Fills type-specific attributes, checks constraints; may replace ri/rn (e.g. AE-ID). */
  create?(input: CreateInput): Promise<void> | void;
  /** Runs inside the creating transaction after the insert (e.g. container quota enforcement). */
  afterCreate?(input: CreateInput): Promise<void>;
  /** Runs after the creating transaction committed (timers and other in-process state). */
  created?(resource: StoredResource): void;
  /**
   * Runs after a resource of this type was deleted (alone or with an ancestor), outside the deleting
   * transaction; `remove` deletes another resource with the full DELETE bookkeeping (notifications).
   */
  deleted?(resource: StoredResource, remove: (ri: string) => Promise<void>): Promise<void> | void;
  /** Checks/derives attributes on update; `changes` are validated attributes (null = delete). */
  update?(ctx: RequestContext, current: StoredResource, changes: Record<string, unknown>): Promise<void> | void;
  /**
   * A condition on the originator beyond the access decision, for RETRIEVE / UPDATE / DELETE of a resource
   * of this type (e.g. <pollingChannel>: only its AE or CSE, TS-0004 7.4.21.2.x); throws 4103.
   */
  checkOriginator?(ctx: RequestContext, resource: StoredResource): Promise<void> | void;
  /**
   * Runs inside the updating transaction before the write; may change `updated` and other resources
   * (e.g. instances evicted after mni was lowered).
   */
  applyUpdate?(ctx: RequestContext, updated: StoredResource): Promise<void>;
  /**
   * The resource keeps counters of its children (cni, cbs), rewritten by every instance CREATE / DELETE
   * under it: writes to it and under it serialize on its ri (store TransactionOptions.serializeOn), so
   * that CSE instances sharing a PostgreSQL store queue on a busy container instead of aborting each
   * other's transactions until one answers 5000 (docs/scale-out.md).
   */
  countsChildren?: boolean;
  /**
   * UPDATEs of the resource serialize on its ri across CSE instances sharing the store (serializeOn), so
   * that a check made in afterUpdate against the committed state queues instead of aborting (the
   * configVersion of a security <mgmtObj>).
   */
  serializeUpdates?: boolean;
  /** Attributes the CSE counts (cni, cbs), re-read inside the updating transaction for applyUpdate. */
  ownCounters?: readonly string[];
  /**
   * Runs inside the updating transaction, after the checks (and a Blocking_Update consent), before the
   * store write; may delete other resources and adjust `updated` (e.g. container quota eviction).
   */
  afterUpdate?(ctx: RequestContext, before: StoredResource, updated: StoredResource): Promise<void>;
  /** Whether UPDATE is allowed at all (contentInstance: no, TS-0004 7.4.7). */
  updatable?: boolean;
}
