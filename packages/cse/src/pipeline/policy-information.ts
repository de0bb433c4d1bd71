// The CSE's side of the access decision point (@m2msec/authorization AccessDecisionPoint): its ports over
// this CSE's store, read through the request's store handle (a transaction's, for writes). Policy
// retrieval and <group> links are followed by resourceID only (policy-links.ts), so a policy or group
// created later at a freed path is never the one a link named (docs/authorization.md "Policy links").
import {
  type AccessControlPolicyResource,
  type AccessDecisionEngine,
  AccessDecisionPoint,
  type CredentialResources,
  type GroupMembership,
  localResourceId,
  normaliseId,
  type PolicyRetrieval,
} from '@m2msec/authorization';
import { type IdContext, ResourceType } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';
import type { AuthorizationServices } from './authorization-services.js';
import { dasClient } from './dynamic-authorization.js';
import { isLivePolicy, linkedResourceId } from './policy-links.js';

export type CseDecisionPoint = AccessDecisionPoint<RequestContext, StoredResource>;

function policyRetrieval(core: () => Core): PolicyRetrieval<RequestContext, StoredResource> {
  return {
    async governing(ctx, resource) {
      const c = core();
      let r: StoredResource | undefined = resource;
      while (r && r.ty !== ResourceType.accessControlPolicy && c.handlers.get(r.ty)?.hasAcpi === false)
        r = await ctx.store.resources.get(r.pi);
      return r;
    },
    reread: (ctx, resource) => ctx.store.resources.get(resource.ri),
    async policies(ctx, links) {
      const out: AccessControlPolicyResource[] = [];
      for (const link of links) {
        const ri = linkedResourceId(core().idContext, link);
        const p = ri === undefined ? undefined : await ctx.store.resources.get(ri);
        if (isLivePolicy(p, ctx.now)) out.push(p as unknown as AccessControlPolicyResource);
      }
      return out;
    },
  };
}

/** TS-0004 7.3.3.15: acor names a <group> by its resource ID; its members (or their AEs / CSEs) count. */
function groupMembership(core: () => Core): GroupMembership<RequestContext> {
  const memberIsOriginator = async (ctx: RequestContext, m: string): Promise<boolean> => {
    const c = core();
    const local = localResourceId(m, c.idContext);
    if (local.startsWith('/')) return false;
    const r = local.includes('/') ? await ctx.store.resources.getBySrn(local) : await ctx.store.resources.get(local);
    if (r?.ty === ResourceType.AE) return normaliseId(r.aei as string, c.idContext) === ctx.originator;
    if (r?.ty === ResourceType.remoteCSE) return r.csi === ctx.originator;
    return false;
  };
  return {
    async memberOf(ctx, candidates) {
      const c = core();
      const member = new Set<string>();
      for (const id of candidates) {
        const ri = linkedResourceId(c.idContext, id);
        const g = ri === undefined ? undefined : await ctx.store.resources.get(ri);
        if (!g || g.ty !== ResourceType.group) continue;
        for (const m of (g.mid as string[] | undefined) ?? []) {
          if (normaliseId(m, c.idContext) === ctx.originator || (await memberIsOriginator(ctx, m))) {
            member.add(id);
            break;
          }
        }
      }
      return member;
    },
  };
}

/** <role> and <token> resources live under the CSEBase (TS-0004 7.4.38, 7.4.39). */
function credentialResources(core: () => Core): CredentialResources<RequestContext> {
  return {
    roles: (ctx) => ctx.store.resources.children(core().cseBaseRi, { ty: [ResourceType.role] }),
    tokens: (ctx) => ctx.store.resources.children(core().cseBaseRi, { ty: [ResourceType.token] }),
  };
}

/** The decision point of this CSE; `core` is read lazily because the Core holds the decision point. */
export function cseDecisionPoint(
  core: () => Core,
  parts: { idContext: IdContext; engine: AccessDecisionEngine; authz: AuthorizationServices },
): CseDecisionPoint {
  const { idContext, engine, authz } = parts;
  return new AccessDecisionPoint<RequestContext, StoredResource>({
    idContext,
    engine,
    policies: policyRetrieval(core),
    groups: groupMembership(core),
    resources: credentialResources(core),
    verifier: authz.verifier,
    tokenCache: authz.tokens,
    roleIssuers: authz.roleIssuers,
    ...(authz.locationSource ? { locationSource: authz.locationSource } : {}),
    das: dasClient(core),
    onLocationError: (e) => core().log.warn({}, `location source failed: ${(e as Error).message}`),
  });
}
