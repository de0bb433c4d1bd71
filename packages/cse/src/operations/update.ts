// UPDATE (TS-0004 7.3.3.x): attribute changes, null deletes an attribute; acpi changes follow the
// policy-management rule of TS-0001 Table 9.6.1.3.2-1 (acpi alone, UPDATE in the current selfPrivileges,
// or the creator where acpi has no value) and link existing policies only, by resourceID.
import {
  AccessControlOperation,
  type HandlerResponse,
  M2MError,
  ResourceType,
  ResponseStatusCode,
  ResultContent,
  validateResource,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import { carryOut, recordAnnouncement } from '../announcement/announce.js';
import { planAnnouncement } from '../announcement/targets.js';
import { monotonicTimestamp } from '../clock.js';
import type { Core } from '../core.js';
import { NotificationEventType } from '../notifications/notifier.js';
import { checkAccess, checkPolicyUpdate } from '../pipeline/access.js';
import { locate } from '../pipeline/locate.js';
import { CONSULTATION_LINKS, POLICY_LINKS, resolveLinks } from '../pipeline/policy-links.js';
import { representation } from '../pipeline/result.js';
import type { RequestContext } from '../request-context.js';
import { updateExpirationTime } from './expiration.js';
import { fanOut } from './fan-out.js';

export async function update(core: Core, ctx: RequestContext): Promise<HandlerResponse> {
  const { resource } = await locate(core, ctx.req.to);
  // One UPDATE of a resource at a time while a Blocking_Update notification is out (TS-0004 7.5.1.2.19).
  const before = core.updateLocks.get(resource.ri) ?? Promise.resolve();
  const run = before.then(() => updateLocked(core, ctx));
  const tail = run.catch(() => undefined);
  core.updateLocks.set(resource.ri, tail);
  try {
    return await run;
  } finally {
    if (core.updateLocks.get(resource.ri) === tail) core.updateLocks.delete(resource.ri);
  }
}

async function updateLocked(core: Core, ctx: RequestContext): Promise<HandlerResponse> {
  const { resource, virtual } = await locate(core, ctx.req.to);
  // A CREATE / UPDATE sent to <group>/fopt is fanned out to the members (TS-0004 7.4.14.3.2 / .4).
  if (ctx.req.fc !== undefined)
    throw new M2MError(
      ResponseStatusCode.NOT_IMPLEMENTED,
      'filter criteria in an UPDATE are not supported by this CSE',
    );
  if (virtual?.kind === 'fopt') return fanOut(core, ctx, resource, virtual.rest);
  if (virtual)
    throw new M2MError(
      ResponseStatusCode.OPERATION_NOT_ALLOWED,
      `the virtual resource '${virtual.kind}' cannot be updated`,
    );
  const handler = core.handlers.get(resource.ty);
  if (!handler || handler.updatable === false || (handler.parents.length === 0 && !ctx.admin)) {
    throw new M2MError(ResponseStatusCode.OPERATION_NOT_ALLOWED, `resources of type ${resource.ty} cannot be updated`);
  }
  const { attrs } = validateResource('update', resource.ty, ctx.req.pc);
  if ('acpi' in attrs) {
    if (Object.keys(attrs).length !== 1) {
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        'an UPDATE of accessControlPolicyIDs (acpi) must not change other attributes',
      );
    }
    await checkPolicyUpdate(core, ctx, resource);
    // New links must name existing policies and are kept as resourceIDs (pipeline/policy-links.ts).
    if (attrs.acpi !== null) attrs.acpi = await resolveLinks(core, ctx, POLICY_LINKS, attrs.acpi);
  } else {
    await checkAccess(core, ctx, resource, AccessControlOperation.UPDATE);
    // daci names the DAS that may grant privileges on the resource: relinking it is policy management
    // too (docs/authorization.md), or UPDATE alone would let an originator name its own DAS.
    if ('daci' in attrs) await checkPolicyUpdate(core, ctx, resource);
    if (attrs.daci !== undefined && attrs.daci !== null)
      attrs.daci = await resolveLinks(core, ctx, CONSULTATION_LINKS, attrs.daci);
  }
  await updateExpirationTime(core.config, ctx, resource, attrs);
  await handler.update?.(ctx, resource, attrs);
  // announceTo / announcedAttribute checked before anything is written (announcement/targets.ts).
  const announcement = await planAnnouncement(
    core,
    resource.ty,
    resource.ty === ResourceType.contentInstance ? await core.store.resources.get(resource.pi) : undefined,
    attrs,
    resource,
  );
  const requested = Object.keys(attrs);
  await core.notifier.blockingUpdate(resource, attrs);

  const updated: StoredResource = { ...resource };
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null) delete updated[k];
    else updated[k] = v;
  }
  updated.lt = monotonicTimestamp(ctx.now);
  if (typeof updated.st === 'number') updated.st += 1;
  // Counters moved by instance creates under it (handler.ts countsChildren): queue with those creates;
  // a check against the committed state (serializeUpdates): queue with the other instances' UPDATEs.
  const serializeOn = handler.countsChildren || handler.serializeUpdates ? [resource.ri] : undefined;
  await core.store.transaction(
    async (tx) => {
      const fresh = handler.applyUpdate ? await tx.resources.get(updated.ri) : undefined;
      // Counters the CSE keeps (cni, cbs) are taken from the committed state, not the request's snapshot.
      if (fresh) for (const k of handler.ownCounters ?? []) updated[k] = fresh[k];
      await handler.applyUpdate?.({ ...ctx, store: tx }, updated);
      await handler.afterUpdate?.({ ...ctx, store: tx }, resource, updated);
      await tx.resources.update(updated);
    },
    { serializeOn },
  );
  if (resource.ty === 1) core.engine.forget(resource.ri);
  if (announcement) {
    const parent = announcement.add.length > 0 ? await core.store.resources.get(resource.pi) : undefined;
    const at = await carryOut(core, announcement, updated, parent, requested);
    const recorded = await recordAnnouncement(core, updated, at, announcement.aa);
    if (recorded.at) updated.at = recorded.at;
    else delete updated.at;
  }
  if (resource.ty === ResourceType.remoteCSE && 'dcse' in attrs && resource.csi !== core.config.registrarCseId)
    core.registreesChanged();
  core.notifier
    .event(updated, NotificationEventType.update, updated, requested)
    .catch((e) => core.log.warn({}, `notify: ${e.message}`));

  const rcn = ctx.req.rcn ?? ResultContent.attributes;
  let pc: unknown;
  if (rcn === ResultContent.attributes) pc = representation(updated);
  else if (rcn === ResultContent.modifiedAttributes)
    pc = representation({ ...attrs, ty: resource.ty } as StoredResource);
  else if (rcn !== ResultContent.nothing)
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `result content ${rcn} is not valid for UPDATE`);
  return { rsc: ResponseStatusCode.UPDATED, rqi: ctx.req.rqi, pc };
}
