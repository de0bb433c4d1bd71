// RETRIEVE (TS-0004 7.3.3.6) with result content 1, 4, 5, 6, 8 and filter criteria (7.3.3.17); the virtual
// la/ol children of a container.
import {
  AccessControlOperation,
  ContentStatus,
  FilterUsage,
  type HandlerResponse,
  M2MError,
  ResourceType,
  ResponseStatusCode,
  ResultContent,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { NotificationEventType } from '../notifications/notifier.js';
import { checkAccess, isPermitted } from '../pipeline/access.js';
import { locate } from '../pipeline/locate.js';
import { childReferences, representation } from '../pipeline/result.js';
import type { RequestContext } from '../request-context.js';
import { checkRetrievalEnabled } from '../resources/container.js';
import { longPoll } from '../resources/polling-channel.js';
import { discover } from './discovery.js';
import { fanOut } from './fan-out.js';
import { BudgetSpent, checkEvaluable, hasMatchingConditions, matches, storeRelations } from './filter-criteria.js';
import { nestDescendants } from './nest-descendants.js';
import { selectDescendants } from './select-descendants.js';

/** The latest or oldest <contentInstance> of a container (TS-0004 7.4.27 / 7.4.28), or 4004. */
export async function latestOrOldest(
  ctx: RequestContext,
  container: StoredResource,
  kind: 'la' | 'ol',
): Promise<StoredResource> {
  const instanceType =
    container.ty === ResourceType.timeSeries ? ResourceType.timeSeriesInstance : ResourceType.contentInstance;
  const [cin] = await ctx.store.resources.children(container.ri, {
    ty: [instanceType],
    order: kind === 'la' ? 'desc' : 'asc',
    lim: 1,
  });
  if (!cin) throw new M2MError(ResponseStatusCode.NOT_FOUND, `container '${container.srn}' has no content instance`);
  return cin;
}

export async function retrieve(core: Core, ctx: RequestContext): Promise<HandlerResponse> {
  const { resource, virtual } = await locate(core, ctx.req.to);
  const ok = (pc: unknown): HandlerResponse => ({ rsc: ResponseStatusCode.OK, rqi: ctx.req.rqi, pc });
  if (virtual?.kind === 'fopt') return fanOut(core, ctx, resource, virtual.rest);
  if (virtual?.kind === 'pcu') return longPoll(ctx, resource, core.pollingChannels);
  if (virtual) {
    await checkAccess(core, ctx, resource, AccessControlOperation.RETRIEVE);
    checkRetrievalEnabled(resource);
    return ok(representation(await latestOrOldest(ctx, resource, virtual.kind)));
  }
  // disableRetrieval (TS-0004 7.4.7.2.2): an instance of such a container is not retrieved (4005).
  const disabled = async () => {
    if (resource.ty === ResourceType.contentInstance) checkRetrievalEnabled(await ctx.store.resources.get(resource.pi));
  };
  const fu = ctx.req.fc?.fu;
  if (fu === FilterUsage.discovery || fu === FilterUsage.ipeOnDemandDiscovery) {
    await disabled();
    return discover(core, ctx, resource);
  }
  await checkAccess(core, ctx, resource, AccessControlOperation.RETRIEVE);
  // After the access decision, so that an originator without privileges learns nothing of the container.
  await disabled();
  checkEvaluable(ctx.req.fc);

  const rcn = ctx.req.rcn ?? ResultContent.attributes;
  if (
    resource.ty === ResourceType.container &&
    (rcn === ResultContent.attributesAndChildResources || rcn === ResultContent.childResources)
  ) {
    // notificationEventType 5 (TS-0004 6.3.4.2.19): a RETRIEVE of the container's children finds no instance.
    const [cin] = await ctx.store.resources.children(resource.ri, { ty: [ResourceType.contentInstance], lim: 1 });
    if (!cin)
      core.notifier
        .event(resource, NotificationEventType.retrieveContainerWithNoChild, resource)
        .catch((e) => core.log.warn({}, `notify: ${e.message}`));
  }
  if (rcn === ResultContent.attributes) {
    // Conditional retrieval (TS-0004 7.3.3.1): a target that does not match the conditions is not found.
    const relations = storeRelations(
      ctx.store,
      (x) => isPermitted(core, ctx, x, AccessControlOperation.RETRIEVE),
      Date.now() + core.config.filterBudget.maxMs,
    );
    const matched = await matches(resource, ctx.req.fc, relations).catch((e) => {
      if (e instanceof BudgetSpent)
        throw new M2MError(
          ResponseStatusCode.INTERNAL_SERVER_ERROR,
          'the filter criteria took longer to evaluate than this CSE allows (filterBudget.maxMs)',
        );
      throw e;
    });
    if (hasMatchingConditions(ctx.req.fc) && !matched)
      throw new M2MError(ResponseStatusCode.NOT_FOUND, `'${resource.srn}' does not match the filter criteria`);
    return ok(representation(resource));
  }
  if (!SUBTREE_CONTENT.has(rcn))
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `result content ${rcn} is not valid for RETRIEVE`);
  // rcn 4/5/6/8 cover the descendants within fc.lvl that match the filter criteria (TS-0001 8.1.2).
  const { found, partial, nextOffset } = await selectDescendants(core, ctx, resource, AccessControlOperation.RETRIEVE);
  const rsp = ok(subtreeContent(resource, rcn, found));
  return partial ? { ...rsp, cnst: ContentStatus.partialContent, cnot: nextOffset } : rsp;
}

const SUBTREE_CONTENT = new Set<number>([
  ResultContent.attributesAndChildResources,
  ResultContent.attributesAndChildResourceReferences,
  ResultContent.childResourceReferences,
  ResultContent.childResources,
]);

/** The content of rcn 4, 5, 6 or 8 for `root` and its selected descendants (TS-0004 6.3.4.2.20). */
export function subtreeContent(root: StoredResource, rcn: number, found: StoredResource[]): unknown {
  switch (rcn) {
    case ResultContent.attributesAndChildResources:
      return nestDescendants(root, found, true);
    case ResultContent.childResources:
      return nestDescendants(root, found, false);
    case ResultContent.attributesAndChildResourceReferences:
      return representation({ ...root, ch: childReferences(found) } as StoredResource);
    default:
      return { 'm2m:rrl': { rrf: childReferences(found) } };
  }
}
