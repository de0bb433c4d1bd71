import type { Collection, ResourceStore } from '../types.js';

/** Runs one store operation in some context (outside transactions, or inside one). */
export type Run = <T>(op: () => T | Promise<T>) => Promise<T>;

type Ops<I> = {
  [K in keyof I]: I[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => R | Promise<R> : never;
};
export type ResourceOps = Ops<ResourceStore>;
export type CollectionOps<T> = Ops<Collection<T>>;

/** The promise-returning ResourceStore over backend operations, each run through `run`. */
export function resourceFacade(run: Run, ops: ResourceOps): ResourceStore {
  return {
    get: (ri) => run(() => ops.get(ri)),
    getBySrn: (srn) => run(() => ops.getBySrn(srn)),
    children: (pi, q) => run(() => ops.children(pi, q)),
    descendants: (ri, q) => run(() => ops.descendants(ri, q)),
    countChildren: (pi, ty) => run(() => ops.countChildren(pi, ty)),
    create: (r) => run(() => ops.create(r)),
    update: (r) => run(() => ops.update(r)),
    delete: (ri) => run(() => ops.delete(ri)),
    expired: (now, limit) => run(() => ops.expired(now, limit)),
  };
}

export function collectionFacade<T>(run: Run, ops: CollectionOps<T>): Collection<T> {
  return {
    get: (key) => run(() => ops.get(key)),
    put: (key, value) => run(() => ops.put(key, value)),
    insert: (key, value) => run(() => ops.insert(key, value)),
    delete: (key) => run(() => ops.delete(key)),
    list: (prefix, limit, offset) => run(() => ops.list(prefix, limit, offset)),
    find: (index, value, limit) => run(() => ops.find(index, value, limit)),
    range: (index, bounds) => run(() => ops.range(index, bounds)),
  };
}

/** A Run for a transaction handle: refuses calls once the transaction has ended. */
export function txRun(isActive: () => boolean): Run {
  return (op) => {
    if (!isActive()) return Promise.reject(new Error('transaction has ended: its tx handle can no longer be used'));
    try {
      return Promise.resolve(op());
    } catch (e) {
      return Promise.reject(e);
    }
  };
}
