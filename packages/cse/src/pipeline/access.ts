// Access decision for a located resource (TS-0001 10.2.3, TS-0003 7.1): <accessControlPolicy> by its
// selfPrivileges; types without acpi by their parent; acpi set -> privileges of those policies;
// acpi not set -> the default policy: only the resource's creator.
import type { AccessControlPolicyResource } from '@m2msec/authorization';
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';

/** Loads the policies an acpi list names; IDs that do not resolve to a local policy are skipped. */
async function loadPolicies(core: Core, ctx: RequestContext, acpi: string[]): Promise<AccessControlPolicyResource[]> {
  const out: AccessControlPolicyResource[] = [];
  for (const id of acpi) {
    let local = id;
    if (id.startsWith(`${core.config.cseId}/`)) local = id.slice(core.config.cseId.length + 1);
    const p = local.includes('/') ? await ctx.store.resources.getBySrn(local) : await ctx.store.resources.get(local);
    if (p && p.ty === ResourceType.accessControlPolicy) out.push(p as unknown as AccessControlPolicyResource);
  }
  return out;
}

/** Whether the originator may perform `operation` (an acop bit) on `resource`. */
export async function isPermitted(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  operation: number,
): Promise<boolean> {
  if (ctx.admin) return true;
  const req = { originator: ctx.originator, operation, authenticated: ctx.authenticated, resourceType: ctx.req.ty };
  let r: StoredResource | undefined = resource;
  if (r.ty === ResourceType.accessControlPolicy) return core.engine.permits([r as never], 'pvs', req);
  // Types without an acpi attribute are governed by their parent.
  while (r && core.handlers.get(r.ty)?.hasAcpi === false) r = await ctx.store.resources.get(r.pi);
  if (!r) return false;
  const acpi = r.acpi as string[] | undefined;
  if (Array.isArray(acpi) && acpi.length > 0)
    return core.engine.permits(await loadPolicies(core, ctx, acpi), 'pv', req);
  return r.__cr !== undefined && r.__cr === ctx.originator;
}

export async function checkAccess(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  operation: number,
): Promise<void> {
  if (!(await isPermitted(core, ctx, resource, operation))) {
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
      `originator '${ctx.originator}' has no privilege for this operation on '${resource.srn}'`,
    );
  }
}

/**
 * Changing acpi needs UPDATE in the selfPrivileges of the policies currently linked (TS-0001 Table
 * 9.6.1.3.2-1 accessControlPolicyIDs); a resource without acpi falls back to its default policy.
 */
export async function checkPolicyUpdate(core: Core, ctx: RequestContext, resource: StoredResource): Promise<void> {
  if (ctx.admin) return;
  const acpi = resource.acpi as string[] | undefined;
  if (!Array.isArray(acpi) || acpi.length === 0) return checkAccess(core, ctx, resource, 4);
  const req = { originator: ctx.originator, operation: 4, authenticated: ctx.authenticated };
  if (!core.engine.permits(await loadPolicies(core, ctx, acpi), 'pvs', req)) {
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
      `originator '${ctx.originator}' may not change the access control policies of '${resource.srn}'`,
    );
  }
}
