// DELETE (TS-0004 7.3.3.x): the whole subtree in one transaction, container counters kept exact,
// then notifications: deletion events to the subscribers of the deleted resource, deletion notices
// for deleted subscriptions, and deleteChild to the parent's subscribers.
import {
  AccessControlOperation,
  type HandlerResponse,
  M2MError,
  ResourceType,
  ResponseStatusCode,
  ResultContent,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import { deleteAnnounced } from '../announcement/announce.js';
import type { Core } from '../core.js';
import { NotificationEventType } from '../notifications/notifier.js';
import { checkAccess } from '../pipeline/access.js';
import { locate } from '../pipeline/locate.js';
import { representation } from '../pipeline/result.js';
import type { RequestContext } from '../request-context.js';
import { checkRetrievalEnabled } from '../resources/container.js';
import { fanOut } from './fan-out.js';
import { latestOrOldest, subtreeContent } from './retrieve.js';
import { selectDescendants } from './select-descendants.js';

/**
 * The Result Content of a DELETE (TS-0004 Table 7.2.1.1-1 / 6.3.4.2.20: 0, 1, 4, 5, 6, 8), worked out before
 * the subtree goes: descendants are shown only where the originator may RETRIEVE them, as for a RETRIEVE.
 */
async function deletedContent(core: Core, ctx: RequestContext, target: StoredResource): Promise<unknown> {
  if (ctx.req.fc !== undefined)
    throw new M2MError(ResponseStatusCode.NOT_IMPLEMENTED, 'filter criteria in a DELETE are not supported by this CSE');
  const rcn = ctx.req.rcn ?? ResultContent.nothing;
  if (rcn === ResultContent.nothing) return undefined;
  if (rcn === ResultContent.attributes) return representation(target);
  const { found, partial } = await selectDescendants(core, ctx, target, AccessControlOperation.RETRIEVE);
  // A DELETE response has no Content Status (TS-0004 Table 7.2.1.2-1): refuse rather than return part of it.
  if (partial)
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `the subtree of '${target.srn}' is larger than this CSE returns in one response; delete it with rcn 0 or 1`,
    );
  return subtreeContent(target, rcn, found);
}

/** Deletes a resource subtree and does the bookkeeping; used by DELETE and the expiry sweep. */
export async function deleteResource(core: Core, target: StoredResource): Promise<StoredResource[]> {
  // Deregistration (issue 12): credentials stop speaking for the AE-ID before the <AE> goes, so no
  // moment exists in which the AE is gone but a credential still holds its AE-ID (fail closed).
  if (target.ty === ResourceType.AE && core.onAeDeregistration && typeof target.aei === 'string') {
    await core.onAeDeregistration(target.aei);
  }
  const isInstance = target.ty === ResourceType.contentInstance || target.ty === ResourceType.timeSeriesInstance;
  // An instance's container counts it: queue with the creates under that container (handler.ts countsChildren).
  const deleted = await core.store.transaction(
    async (tx) => {
      const removed = await tx.resources.delete(target.ri);
      if (isInstance) {
        const cnt = await tx.resources.get(target.pi);
        if (cnt)
          await tx.resources.update({
            ...cnt,
            cni: (cnt.cni as number) - 1,
            cbs: (cnt.cbs as number) - (target.cs as number),
          });
      }
      return removed;
    },
    { serializeOn: isInstance ? [target.pi] : undefined },
  );
  const remove = async (ri: string) => {
    const r = await core.store.resources.get(ri);
    if (r) await deleteResource(core, r);
  };
  for (const r of deleted) await core.handlers.get(r.ty)?.deleted?.(r, remove);
  // De-announcement (TS-0004 7.3.3.11): the announced resources of what was deleted go too.
  for (const r of deleted) if (Array.isArray(r.at)) await deleteAnnounced(core, r.at as string[]);
  for (const r of deleted) {
    if (r.ty === ResourceType.accessControlPolicy) core.engine.forget(r.ri);
    if (r.ty === ResourceType.remoteCSE) core.registreeCseIds.delete(r.csi as string);
    if (r.ty === ResourceType.subscription) core.notifier.forget(r.ri);
  }
  if (deleted.some((r) => r.ty === ResourceType.remoteCSE && r.csi !== core.config.registrarCseId))
    core.registreesChanged();
  const subs = deleted.filter((r) => r.ty === ResourceType.subscription);
  const warn = (e: Error) => core.log.warn({}, `notify: ${e.message}`);
  core.notifier
    .notifySubscriptions(
      subs.filter((s) => s.pi === target.ri),
      NotificationEventType.delete,
      target,
    )
    .catch(warn);
  for (const s of subs) core.notifier.deleted(s).catch(warn);
  const parent = await core.store.resources.get(target.pi);
  if (parent) core.notifier.event(parent, NotificationEventType.deleteChild, target).catch(warn);
  return deleted;
}

export async function del(core: Core, ctx: RequestContext): Promise<HandlerResponse> {
  const { resource, virtual } = await locate(core, ctx.req.to);
  if (virtual?.kind === 'fopt') return fanOut(core, ctx, resource, virtual.rest);
  if (virtual?.kind === 'pcu')
    throw new M2MError(
      ResponseStatusCode.OPERATION_NOT_ALLOWED,
      'pollingChannelURI cannot be deleted (TS-0004 7.4.22.2.4)',
    );
  let target = resource;
  if (virtual) {
    await checkAccess(core, ctx, resource, AccessControlOperation.DELETE);
    checkRetrievalEnabled(resource);
    target = await latestOrOldest(ctx, resource, virtual.kind);
  } else {
    if (resource.ty === ResourceType.CSEBase)
      throw new M2MError(ResponseStatusCode.OPERATION_NOT_ALLOWED, 'the CSEBase cannot be deleted');
    await checkAccess(core, ctx, resource, AccessControlOperation.DELETE);
    if (resource.ty === ResourceType.contentInstance) checkRetrievalEnabled(await ctx.store.resources.get(resource.pi));
  }
  const pc = await deletedContent(core, ctx, target);
  await deleteResource(core, target);
  return { rsc: ResponseStatusCode.DELETED, rqi: ctx.req.rqi, pc };
}
