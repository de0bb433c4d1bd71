// Access decision for a located resource (TS-0001 10.2.3, TS-0003 7.1, TS-0004 7.3.3.15):
// <accessControlPolicy> by its selfPrivileges; types without acpi by their parent; acpi set -> the
// privileges of those policies (and of dynamic policies a DAS granted); acpi not set -> the default
// policy: only the resource's creator. Tokens of the request add their privileges and Role-IDs, except on
// a policy itself. A DENY goes on to Direct Dynamic Authorization (not for a policy), then 4103
// ORIGINATOR_HAS_NO_PRIVILEGE. acpi links are followed by resourceID only (policy-links.ts).
import {
  type AccessControlPolicyResource,
  type AccessRequest,
  type CompiledRuleSet,
  localResourceId,
  normaliseId,
  type PolicySelection,
  selection,
  tokenGrants,
} from '@m2msec/authorization';
import { AccessControlOperation, M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';
import { type AccessState, accessState, locationOf } from './access-state.js';
import { consultDynamicAuthorization } from './dynamic-authorization.js';
import { isLivePolicy, linkedResourceId } from './policy-links.js';

/**
 * Loads the policies that stored links name (acpi entries, dynamic grants): by resourceID only, so a link
 * whose policy was deleted finds nothing even if another policy now has its path (policy-links.ts);
 * links to missing, expired or non-policy resources are skipped (fail closed).
 */
async function loadPolicies(
  core: Core,
  ctx: RequestContext,
  links: readonly string[],
): Promise<AccessControlPolicyResource[]> {
  const out: AccessControlPolicyResource[] = [];
  for (const link of links) {
    const ri = linkedResourceId(core.idContext, link);
    const p = ri === undefined ? undefined : await ctx.store.resources.get(ri);
    if (isLivePolicy(p, ctx.now)) out.push(p as unknown as AccessControlPolicyResource);
  }
  return out;
}

/** The resource whose acpi governs `resource` (TS-0001 10.2.3: types without acpi use their parent's). */
export async function governingResource(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
): Promise<StoredResource | undefined> {
  let r: StoredResource | undefined = resource;
  while (r && r.ty !== ResourceType.accessControlPolicy && core.handlers.get(r.ty)?.hasAcpi === false)
    r = await ctx.store.resources.get(r.pi);
  return r;
}

/** The containerDefinition / mgmtDefinition in a CREATE Content (acod specializationType, TS-0003 7.1.5). */
function specializationOf(pc: unknown): string | number | undefined {
  const body = pc && typeof pc === 'object' ? Object.values(pc as Record<string, unknown>)[0] : undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { cnd?: unknown; mgd?: unknown };
  const v = b.cnd ?? b.mgd;
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

/**
 * <group> IDs named in acor whose members include the originator (TS-0004 7.3.3.15: a group is named by
 * its resource ID). Followed by resourceID only, like acpi: a group created later at a freed path is not the
 * group the policy named (docs/authorization.md "Policy links").
 */
async function groupsOf(core: Core, ctx: RequestContext, candidates: readonly string[]): Promise<Set<string>> {
  const member = new Set<string>();
  for (const id of candidates) {
    const ri = linkedResourceId(core.idContext, id);
    const g = ri === undefined ? undefined : await ctx.store.resources.get(ri);
    if (!g || g.ty !== ResourceType.group) continue;
    for (const m of (g.mid as string[] | undefined) ?? []) {
      if (normaliseId(m, core.idContext) === ctx.originator || (await memberIsOriginator(core, ctx, m))) {
        member.add(id);
        break;
      }
    }
  }
  return member;
}

/** A member resource (an <AE> or <remoteCSE>) that stands for the originator. */
async function memberIsOriginator(core: Core, ctx: RequestContext, m: string): Promise<boolean> {
  const local = localResourceId(m, core.idContext);
  if (local.startsWith('/')) return false;
  const r = local.includes('/') ? await ctx.store.resources.getBySrn(local) : await ctx.store.resources.get(local);
  if (r?.ty === ResourceType.AE) return normaliseId(r.aei as string, core.idContext) === ctx.originator;
  if (r?.ty === ResourceType.remoteCSE) return r.csi === ctx.originator;
  return false;
}

/** What one decision on `resource` evaluates: the rule sets, the creator default, the request. */
interface Evaluation {
  governing: StoredResource;
  policySets: PolicySelection;
  creatorDefault: boolean;
  request: AccessRequest;
}

/** Whether a resource's acpi holds links (an absent or empty value leaves the default policy in force). */
function hasPolicyLinks(r: StoredResource): boolean {
  return Array.isArray(r.acpi) && r.acpi.length > 0;
}

async function evaluation(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  operation: number,
  which: 'pv' | 'pvs',
  state: AccessState,
): Promise<Evaluation | undefined> {
  const governing = await governingResource(core, ctx, resource);
  if (!governing) return undefined;
  let sets: CompiledRuleSet[];
  let creatorDefault = false;
  const policyTarget = governing.ty === ResourceType.accessControlPolicy;
  if (policyTarget) {
    sets = [core.engine.compiled(governing as unknown as AccessControlPolicyResource).pvs];
  } else {
    const linked = hasPolicyLinks(governing) ? await loadPolicies(core, ctx, governing.acpi as string[]) : [];
    // A dynamic policy's pvs names this CSE, for managing the grant itself; it never decides who relinks acpi.
    const dynamic =
      which === 'pv' ? await loadPolicies(core, ctx, (governing.__dacpi as string[] | undefined) ?? []) : [];
    sets = [...linked, ...dynamic].map((p) => core.engine.compiled(p)[which]);
    // TS-0001 Table 9.6.1.3.2-1: the default policy applies only while acpi has no value. Links that
    // all point to deleted policies are still a value: nothing matches (fail closed, docs/authorization.md).
    creatorDefault = which === 'pv' && !hasPolicyLinks(governing);
  }
  // Tokens (TS-0003 7.3.2.5): privileges for the resources they name, Role-IDs for the decision. Not
  // for acpi changes (selfPrivileges alone) and not on an <accessControlPolicy>: TS-0001 10.2.3 decides
  // a request to a policy by its selfPrivileges and denies otherwise, without dynamic authorization, so a
  // token can never rewrite the rules that outlive it.
  const ids = [resource.ri, resource.srn, governing.ri, governing.srn];
  const withTokens = which === 'pv' && !policyTarget;
  const grants = withTokens ? tokenGrants(state.tokens, ids) : { privileges: [], roleIds: [] };
  const policySets = selection([...sets, ...grants.privileges]);
  const roles = grants.roleIds.length > 0 ? new Set([...state.roles, ...grants.roleIds]) : state.roles;
  const create = ctx.req.op === 1 && operation === AccessControlOperation.CREATE;
  const request: AccessRequest = {
    originator: ctx.originator,
    operation,
    authenticated: ctx.authenticated,
    ...(create
      ? { resourceType: ctx.req.ty, targetType: resource.ty, specialization: specializationOf(ctx.req.pc) }
      : {}),
    time: state.time,
    ip: state.ip,
    roles,
  };
  if (policySets.groupCandidates.length > 0) request.groups = await groupsOf(core, ctx, policySets.groupCandidates);
  if (policySets.needsLocation) request.location = await locationOf(core, ctx, state);
  return { governing, policySets, creatorDefault, request };
}

function decide(e: Evaluation, ctx: RequestContext): boolean {
  if (e.creatorDefault && e.governing.__cr !== undefined && e.governing.__cr === ctx.originator) return true;
  return e.policySets.permits(e.request);
}

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
  const e = await evaluation(core, ctx, resource, operation, 'pv', await accessState(core, ctx));
  return e !== undefined && decide(e, ctx);
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
  const state = await accessState(core, ctx);
  const e = await evaluation(core, ctx, resource, operation, 'pv', state);
  if (!e) noPrivilege(ctx, resource);
  if (decide(e!, ctx)) return;
  // TS-0001 10.2.3: a request to an <accessControlPolicy> is decided by its selfPrivileges alone.
  if (e!.governing.ty === ResourceType.accessControlPolicy) noPrivilege(ctx, resource);
  // TS-0004 7.3.3.15: DENY -> Dynamic Authorization (if configured for the resource) -> re-evaluate.
  const granted = await consultDynamicAuthorization(
    core,
    ctx,
    resource,
    e!.governing,
    e!.request,
    e!.policySets,
    state,
  );
  if (granted) {
    // The grant linked a dynamic policy to the stored resource: decide on its stored form.
    const fresh = (await ctx.store.resources.get(resource.ri)) ?? resource;
    const again = await evaluation(core, ctx, fresh, operation, 'pv', state);
    if (again && decide(again, ctx)) return;
  }
  noPrivilege(ctx, resource);
}

/**
 * Policy management: changing acpi (or daci, see update.ts) of `resource`. TS-0001 Table 9.6.1.3.2-1 and
 * 9.6.2.0 (selfPrivileges govern the acpi of every resource that links the policy): with links, UPDATE in the selfPrivileges of a currently linked, existing policy; without, the
 * default policy: the creator alone. Never a token, a token's or DAS's grant, or a dynamic policy: those
 * are privileges on the resource, and a holder who could relink it would keep it after they end.
 */
export async function checkPolicyUpdate(core: Core, ctx: RequestContext, resource: StoredResource): Promise<void> {
  if (ctx.admin) return;
  if (!hasPolicyLinks(resource)) {
    if (resource.__cr !== undefined && resource.__cr === ctx.originator) return;
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
      `originator '${ctx.originator}' may not change the access control policies of '${resource.srn}' (it has none: only its creator may link them)`,
    );
  }
  const state = await accessState(core, ctx);
  const e = await evaluation(core, ctx, resource, AccessControlOperation.UPDATE, 'pvs', state);
  if (!e?.policySets.permits(e.request)) {
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
      `originator '${ctx.originator}' may not change the access control policies of '${resource.srn}' (needs UPDATE in their selfPrivileges)`,
    );
  }
}
