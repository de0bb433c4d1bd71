// RETRIEVE (TS-0004 7.3.3.x) with result content 1, 4, 5, 6, 8; the virtual la/ol children of a container.
import {
  AccessControlOperation,
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
import { childReferences, nest, representation } from '../pipeline/result.js';
import type { RequestContext } from '../request-context.js';
import { checkRetrievalEnabled } from '../resources/container.js';
import { longPoll } from '../resources/polling-channel.js';
import { discover } from './discovery.js';
import { fanOut } from './fan-out.js';
import { RetrievalDisabled } from './retrieval-disabled.js';

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

async function readableChildren(
  core: Core,
  ctx: RequestContext,
  r: StoredResource,
  deep: boolean,
): Promise<StoredResource[]> {
  const fc = ctx.req.fc;
  const q = { ty: fc?.ty, lbl: fc?.lbl, cra: fc?.cra, crb: fc?.crb, lvl: deep ? fc?.lvl : 1 };
  const found = deep ? await ctx.store.resources.descendants(r.ri, q) : await ctx.store.resources.children(r.ri, q);
  const out: StoredResource[] = [];
  const disabled = new RetrievalDisabled(ctx);
  for (const c of found)
    if (!(await disabled.hides(c)) && (await isPermitted(core, ctx, c, AccessControlOperation.RETRIEVE))) out.push(c);
  return fc?.lim !== undefined ? out.slice(0, fc.lim) : out;
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
  const disabled = async () => {
    if (resource.ty === ResourceType.contentInstance) checkRetrievalEnabled(await ctx.store.resources.get(resource.pi));
  };
  if (ctx.req.fc?.fu === FilterUsage.discovery) {
    await disabled();
    return discover(core, ctx, resource);
  }
  await checkAccess(core, ctx, resource, AccessControlOperation.RETRIEVE);
  // After the access decision, so that an originator without privileges learns nothing of the container.
  await disabled();

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
  switch (rcn) {
    case ResultContent.attributes:
      return ok(representation(resource));
    case ResultContent.attributesAndChildResources:
      return ok(nest(resource, await readableChildren(core, ctx, resource, true), true));
    case ResultContent.childResources:
      return ok(nest(resource, await readableChildren(core, ctx, resource, true), false));
    case ResultContent.attributesAndChildResourceReferences: {
      const ch = childReferences(await readableChildren(core, ctx, resource, false));
      return ok(representation({ ...resource, ch } as StoredResource));
    }
    case ResultContent.childResourceReferences:
      return ok({ 'm2m:rrl': { rrf: childReferences(await readableChildren(core, ctx, resource, false)) } });
    default:
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `result content ${ctx.req.rcn} is not valid for RETRIEVE`);
  }
}
