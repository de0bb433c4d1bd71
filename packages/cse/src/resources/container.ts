// <container> (TS-0004 7.4.6) and <contentInstance> (TS-0004 7.4.7): quotas mni/mbs/mia enforced at
// each instance creation, inside the creating transaction, oldest instances removed first.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';

export const containerHandler: ResourceTypeHandler = {
  ty: ResourceType.container,
  parents: [ResourceType.CSEBase, ResourceType.AE, ResourceType.container, ResourceType.remoteCSE],
  hasAcpi: true,
  idPrefix: 'cnt',
  countsChildren: true,
  create({ resource }) {
    resource.cni = 0;
    resource.cbs = 0;
    resource.st = 0;
  },
  async afterUpdate(ctx, current, updated) {
    // Counters as committed now: instances may have been created since `current` was read.
    const fresh = await ctx.store.resources.get(current.ri);
    if (fresh) {
      updated.cni = fresh.cni;
      updated.cbs = fresh.cbs;
    }
    if (current.disr === true && updated.disr !== true) {
      // TS-0001 9.6.6 disableRetrieval: TRUE -> FALSE deletes every existing <contentInstance> at once.
      for (const cin of await ctx.store.resources.children(current.ri, { ty: [ResourceType.contentInstance] }))
        await ctx.store.resources.delete(cin.ri);
      updated.cni = 0;
      updated.cbs = 0;
    } else if (updated.mni !== current.mni || updated.mbs !== current.mbs) {
      // A lowered maxNrOfInstances / maxByteSize applies at once: oldest instances go first (TS-0004 7.4.6).
      await enforceContainerQuota(ctx, updated);
    }
  },
};

/** TS-0004 7.4.7.2.2 / 7.4.7.2.4: RETRIEVE / DELETE of an instance of a container with disableRetrieval. */
export function checkRetrievalEnabled(container: StoredResource | undefined): void {
  if (container?.ty === ResourceType.container && container.disr === true)
    throw new M2MError(
      ResponseStatusCode.OPERATION_NOT_ALLOWED,
      `the container '${container.rn}' has disableRetrieval set: its content instances cannot be retrieved or deleted`,
    );
}

/** Size of the content in bytes, as the cs attribute reports it. */
export function contentSize(con: unknown): number {
  return Buffer.byteLength(typeof con === 'string' ? con : JSON.stringify(con), 'utf8');
}

/** Removes the oldest instances until cni <= mni and cbs <= mbs; returns what was removed. */
export async function enforceContainerQuota(ctx: RequestContext, cnt: StoredResource): Promise<StoredResource[]> {
  const mni = typeof cnt.mni === 'number' ? cnt.mni : Number.POSITIVE_INFINITY;
  const mbs = typeof cnt.mbs === 'number' ? cnt.mbs : Number.POSITIVE_INFINITY;
  let cni = cnt.cni as number;
  let cbs = cnt.cbs as number;
  if (cni <= mni && cbs <= mbs) return [];
  const removed: StoredResource[] = [];
  const oldest = await ctx.store.resources.children(cnt.ri, { ty: [ResourceType.contentInstance], order: 'asc' });
  for (const cin of oldest) {
    if (cni <= mni && cbs <= mbs) break;
    removed.push(...(await ctx.store.resources.delete(cin.ri)));
    cni -= 1;
    cbs -= cin.cs as number;
  }
  cnt.cni = cni;
  cnt.cbs = cbs;
  return removed;
}

export const contentInstanceHandler: ResourceTypeHandler = {
  ty: ResourceType.contentInstance,
  parents: [ResourceType.container],
  hasAcpi: false, // governed by the parent container (TS-0001 10.2.3)
  idPrefix: 'cin',
  updatable: false,
  create({ parent, resource }) {
    const cs = contentSize(resource.con);
    if (typeof parent.mbs === 'number' && cs > parent.mbs) {
      throw new M2MError(
        ResponseStatusCode.NOT_ACCEPTABLE,
        `content size ${cs} bytes exceeds the container's maxByteSize ${parent.mbs}`,
      );
    }
    resource.cs = cs;
    resource.st = ((parent.st as number) ?? 0) + 1;
  },
};
