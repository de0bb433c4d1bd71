// Access decision for a located resource (TS-0001 10.2.3, TS-0003 7.1, TS-0004 7.3.3.15):
// <accessControlPolicy> by its selfPrivileges; types without acpi by their parent; acpi set -> the
// privileges of those policies (and of dynamic policies a DAS granted); acpi not set -> the default
// policy: only the resource's creator. Tokens of the request add their privileges and Role-IDs.
// A DENY goes on to Direct Dynamic Authorization, then 4103 ORIGINATOR_HAS_NO_PRIVILEGE.
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
import { AccessControlOperation, formatTimestamp, M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';
import { type AccessState, accessState, locationOf } from './access-state.js';
import { consultDynamicAuthorization } from './dynamic-authorization.js';

/** Loads the policies an acpi list names; IDs that do not resolve to a live local policy are skipped. */
async function loadPolicies(
  core: Core,
  ctx: RequestContext,
  acpi: readonly string[],
): Promise<AccessControlPolicyResource[]> {
  const out: AccessControlPolicyResource[] = [];
  const now = formatTimestamp(ctx.now, { fraction: true });
  for (const id of acpi) {
    const local = localResourceId(id, core.idContext);
    const p = local.includes('/') ? await ctx.store.resources.getBySrn(local) : await ctx.store.resources.get(local);
    if (!p || p.ty !== ResourceType.accessControlPolicy) continue;
    // An expired policy (a dynamic grant's lifetime) no longer applies, even before the sweep removes it.
    if (typeof p.et === 'string' && p.et <= now) continue;
    out.push(p as unknown as AccessControlPolicyResource);
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

/** <group> IDs named in acor whose members include the originator (TS-0004 7.3.3.15). */
async function groupsOf(core: Core, ctx: RequestContext, candidates: readonly string[]): Promise<Set<string>> {
  const member = new Set<string>();
  for (const id of candidates) {
    const local = localResourceId(id, core.idContext);
    const g = local.includes('/') ? await ctx.store.resources.getBySrn(local) : await ctx.store.resources.get(local);
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
  if (governing.ty === ResourceType.accessControlPolicy && which === 'pv') {
    sets = [core.engine.compiled(governing as unknown as AccessControlPolicyResource).pvs];
  } else {
    const acpi = governing.acpi as string[] | undefined;
    const linked = Array.isArray(acpi) && acpi.length > 0 ? await loadPolicies(core, ctx, acpi) : [];
    const dynamic = await loadPolicies(core, ctx, (governing.__dacpi as string[] | undefined) ?? []);
    sets = [...linked, ...dynamic].map((p) => core.engine.compiled(p)[which]);
    creatorDefault = which === 'pv' && !(Array.isArray(acpi) && acpi.length > 0);
  }
  // Tokens (TS-0003 7.3.2.5): privileges for the resources they name, Role-IDs for the decision.
  // Changing acpi is decided by selfPrivileges alone.
  const ids = [resource.ri, resource.srn, governing.ri, governing.srn];
  const grants = which === 'pv' ? tokenGrants(state.tokens, ids) : { privileges: [], roleIds: [] };
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
 * Changing acpi needs UPDATE in the selfPrivileges of the policies currently linked (TS-0001 Table
 * 9.6.1.3.2-1 accessControlPolicyIDs); a resource without acpi falls back to its default policy.
 */
export async function checkPolicyUpdate(core: Core, ctx: RequestContext, resource: StoredResource): Promise<void> {
  if (ctx.admin) return;
  const acpi = resource.acpi as string[] | undefined;
  if (!Array.isArray(acpi) || acpi.length === 0) return checkAccess(core, ctx, resource, AccessControlOperation.UPDATE);
  const state = await accessState(core, ctx);
  const e = await evaluation(core, ctx, resource, AccessControlOperation.UPDATE, 'pvs', state);
  if (!e?.policySets.permits(e.request)) {
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
      `originator '${ctx.originator}' may not change the access control policies of '${resource.srn}' (needs UPDATE in their selfPrivileges)`,
    );
  }
}
