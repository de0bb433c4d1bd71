// Access enforcement (TS-0003 6.2.2 PEP): the decision is @m2msec/authorization's AccessDecisionPoint
// (policy retrieval, creator default, tokens, roles, groups, location, Direct Dynamic Authorization;
// its ports over this CSE are policy-information.ts). The CSE enforces it: administrators pass, a
// type's own originator check runs first, and a deny becomes 4103 ORIGINATOR_HAS_NO_PRIVILEGE.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';

/** Whether the originator may perform `operation` (an acop bit) on `resource`; no DAS consultation. */
export async function isPermitted(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  operation: number,
): Promise<boolean> {
  if (ctx.admin) return true;
  try {
    await core.handlers.get(resource.ty)?.checkOriginator?.(ctx, resource);
  } catch (e) {
    if (e instanceof M2MError && e.rsc === ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE) return false;
    throw e;
  }
  return (await core.pdp.decide(ctx, resource, operation)).permit;
}

function noPrivilege(ctx: RequestContext, resource: StoredResource): never {
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
    `originator '${ctx.originator}' has no privilege for this operation on '${resource.srn}'`,
  );
}

/** The decision for the request's target: ACPs and tokens, then Direct Dynamic Authorization, then 4103. */
export async function checkAccess(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  operation: number,
): Promise<void> {
  if (ctx.admin) return;
  await core.handlers.get(resource.ty)?.checkOriginator?.(ctx, resource);
  const d = await core.pdp.decideWithDas(ctx, resource, operation);
  if (!d.permit) noPrivilege(ctx, resource);
}

/**
 * Policy management: changing acpi (or daci, see update.ts) of `resource` (TS-0001 Table 9.6.1.3.2-1,
 * 9.6.2.0): the decision point's decidePolicyUpdate; never a token or a dynamic grant.
 */
export async function checkPolicyUpdate(core: Core, ctx: RequestContext, resource: StoredResource): Promise<void> {
  if (ctx.admin) return;
  const d = await core.pdp.decidePolicyUpdate(ctx, resource);
  if (d.permit) return;
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
    Array.isArray(resource.acpi) && resource.acpi.length > 0
      ? `originator '${ctx.originator}' may not change the access control policies of '${resource.srn}' (needs UPDATE in their selfPrivileges)`
      : `originator '${ctx.originator}' may not change the access control policies of '${resource.srn}' (it has none: only its creator may link them)`,
  );
}
