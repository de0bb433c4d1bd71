// CREATE (TS-0004 7.3.3.x generic create, resource-specific rules in resources/*): validation, access,
// type-specific checks, then one transaction for the insert and its side effects.
import {
  AccessControlOperation,
  type HandlerResponse,
  M2MError,
  ResourceType,
  ResponseStatusCode,
  ResultContent,
  validateResource,
} from '@m2msec/protocol';
import { StoreConflictError, type StoredResource } from '@m2msec/store';
import { carryOut, recordAnnouncement } from '../announcement/announce.js';
import { ANNOUNCED_TYPES } from '../announcement/announceable.js';
import { planAnnouncement } from '../announcement/targets.js';
import { monotonicTimestamp } from '../clock.js';
import type { Core } from '../core.js';
import { newResourceId } from '../ids.js';
import { NotificationEventType } from '../notifications/notifier.js';
import { checkAccess } from '../pipeline/access.js';
import { locate } from '../pipeline/locate.js';
import { CONSULTATION_LINKS, POLICY_LINKS, resolveLinks } from '../pipeline/policy-links.js';
import { representation } from '../pipeline/result.js';
import type { RequestContext } from '../request-context.js';
import { assignExpirationTime } from './expiration.js';
import { fanOut } from './fan-out.js';
import { resourceName } from './names.js';

/** Registration requests are governed by authentication and registration rules, not the CSEBase's ACP. */
function isRegistration(parent: StoredResource, ty: number): boolean {
  return parent.ty === ResourceType.CSEBase && (ty === ResourceType.AE || ty === ResourceType.remoteCSE);
}

/**
 * rcn 9 on CREATE (TS-0004 6.3.4.2.20 modifiedAttributes): the attributes the Hosting CSE set or changed,
 * i.e. those absent from the request or given a different value.
 */
function modifiedAttributes(resource: StoredResource, requested: Record<string, unknown>): unknown {
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    if (k === 'srn' || k.startsWith('__')) continue;
    if (!(k in requested) || JSON.stringify(requested[k]) !== JSON.stringify(v)) changed[k] = v;
  }
  return representation({ ...changed, ty: resource.ty } as StoredResource);
}

export async function create(core: Core, ctx: RequestContext): Promise<HandlerResponse> {
  const { resource: parent, virtual } = await locate(core, ctx.req.to);
  // A CREATE / UPDATE sent to <group>/fopt is fanned out to the members (TS-0004 7.4.14.3.2 / .4).
  if (virtual?.kind === 'fopt') return fanOut(core, ctx, parent, virtual.rest);
  if (virtual)
    throw new M2MError(
      ResponseStatusCode.OPERATION_NOT_ALLOWED,
      `cannot create under the virtual resource '${virtual.kind}'`,
    );
  const ty = ctx.req.ty!;
  const handler = core.handlers.get(ty);
  if (!handler || handler.parents.length === 0) {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `resource type ${ty} cannot be created on this CSE`);
  }
  if (!handler.parents.includes(parent.ty)) {
    // TS-0004 7.4.8.2.1 Recv-6.4: a resource that cannot have subscriptions is "not subscribable".
    if (ty === ResourceType.subscription)
      throw new M2MError(
        ResponseStatusCode.TARGET_NOT_SUBSCRIBABLE,
        `a resource of type ${parent.ty} is not subscribable`,
      );
    throw new M2MError(
      ResponseStatusCode.INVALID_CHILD_RESOURCE_TYPE,
      `resource type ${ty} cannot be a child of type ${parent.ty}`,
    );
  }
  const { attrs } = validateResource('create', ty, ctx.req.pc, { parentTy: parent.ty });
  // An announced resource is created by the announcing CSE under its own <remoteCSE>; the announced
  // type's handler decides who that may be (resources/announced.ts, TS-0001 9.6.26.1).
  if (!isRegistration(parent, ty) && !ANNOUNCED_TYPES.has(ty))
    await checkAccess(core, ctx, parent, AccessControlOperation.CREATE);
  // announceTo / announcedAttribute checked before anything is written (announcement/targets.ts).
  const announcement = await planAnnouncement(core, ty, parent, attrs);
  // acpi / daci links must name existing resources of their type, kept as resourceIDs (pipeline/policy-links.ts).
  const acpi = attrs.acpi === undefined ? undefined : await resolveLinks(core, ctx, POLICY_LINKS, attrs.acpi);
  const daci = attrs.daci === undefined ? undefined : await resolveLinks(core, ctx, CONSULTATION_LINKS, attrs.daci);
  // A subscriber must also be allowed to RETRIEVE what it subscribes to (TS-0004 7.4.8.2.1 Recv-6.3):
  // notifications carry the resource, so CREATE alone would be a way round the read privilege.
  if (ty === ResourceType.subscription) await checkAccess(core, ctx, parent, AccessControlOperation.RETRIEVE);

  const ct = monotonicTimestamp(ctx.now);
  const ri = newResourceId(handler.idPrefix);
  const resource: StoredResource = {
    ...attrs,
    ri,
    pi: parent.ri,
    rn: (attrs.rn as string) ?? ri,
    ty,
    ct,
    lt: ct,
    srn: '',
  };
  if (acpi) resource.acpi = acpi;
  if (daci) resource.daci = daci;
  resource.__cr = ctx.originator;
  // Never through the monotonic clock, which a far-future et would drag forward for every later resource.
  assignExpirationTime(core.config, parent, resource, attrs.et, ctx.now);
  // The structured name is known before the type's checks: a subscription's verification request
  // carries its own reference (TS-0004 7.5.1.2.3); set again below in case the handler renamed it.
  resource.srn = `${parent.srn}/${resource.rn}`;
  await handler.create?.({ ctx, parent, attrs, resource });
  // creator requested by NULL (TS-0004 7.3.3.3): the originator as it was sent in From; a registering
  // AE is its assigned AE-ID.
  if (attrs.cr === null) resource.cr = ty === ResourceType.AE ? resource.aei : (ctx.req.fr ?? ctx.originator);
  resource.srn = `${parent.srn}/${resource.rn}`;

  // A parent that counts its children is read and rewritten by every create under it (cni, cbs, st):
  // such creates queue on the parent rather than abort each other across CSE instances (handler.ts).
  const serializeOn = core.handlers.get(parent.ty)?.countsChildren ? [parent.ri] : undefined;
  try {
    await core.store.transaction(
      async (tx) => {
        const txCtx = { ...ctx, store: tx };
        const freshParent = await tx.resources.get(parent.ri);
        if (!freshParent) throw new M2MError(ResponseStatusCode.NOT_FOUND, `parent '${parent.srn}' no longer exists`);
        await tx.resources.create(resource);
        await handler.afterCreate?.({ ctx: txCtx, parent: freshParent, attrs, resource });
      },
      { serializeOn },
    );
  } catch (e) {
    if (e instanceof StoreConflictError) {
      // The AE-ID / CSE-ID is already registered (4117); a name taken by another resource is 4105
      // (TS-0004 7.3.3.3 resource name conflict, also for <AE>).
      const sameName = await core.store.resources.getBySrn(resource.srn);
      if ((ty === ResourceType.AE || ty === ResourceType.remoteCSE) && !(sameName && sameName.ri !== resource.ri)) {
        throw new M2MError(
          ResponseStatusCode.ORIGINATOR_HAS_ALREADY_REGISTERED,
          `'${resourceName(resource)}' is already registered`,
        );
      }
      throw new M2MError(
        ResponseStatusCode.CONFLICT,
        `a resource named '${resource.rn}' already exists under '${parent.srn}'`,
      );
    }
    throw e;
  }
  handler.created?.(resource);
  if (announcement) {
    const at = await carryOut(core, announcement, resource, parent);
    const recorded = await recordAnnouncement(core, resource, at, announcement.aa);
    if (recorded.at) resource.at = recorded.at;
    else delete resource.at;
  }
  if (ty === ResourceType.remoteCSE && resource.csi !== core.config.registrarCseId) {
    core.registreeCseIds.add(resource.csi as string);
    core.registreesChanged();
  }
  core.notifier
    .event(parent, NotificationEventType.createChild, resource)
    .catch((e) => core.log.warn({}, `notify: ${e.message}`));

  const rcn = ctx.req.rcn ?? ResultContent.attributes;
  let pc: unknown;
  if (rcn === ResultContent.attributes) pc = representation(resource);
  else if (rcn === ResultContent.hierarchicalAddress) pc = { 'm2m:uri': resource.srn };
  else if (rcn === ResultContent.hierarchicalAddressAndAttributes)
    pc = { 'm2m:rce': { ...representation(resource), uri: resource.srn } };
  else if (rcn === ResultContent.modifiedAttributes) pc = modifiedAttributes(resource, attrs);
  return { rsc: ResponseStatusCode.CREATED, rqi: ctx.req.rqi, pc, location: resource.srn };
}
