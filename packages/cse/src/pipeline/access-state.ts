// The request side of an access decision, worked out once per request (TS-0003 7.1.2): rq_time and
// rq_ip, the Role-IDs that <role> resources confirm (7.4.3), the tokens of the request (Tokens, Token
// IDs, Local-Token-IDs, tokens a DAS issued for this originator; 7.3.2.3) and, when a policy asks,
// rq_loc from the location source.
import {
  type GeoLocation,
  isRoleId,
  normaliseId,
  parseRequestIp,
  type RequestIp,
  type RequestTime,
  requestTime,
  TokenError,
  type VerifiedToken,
} from '@m2msec/authorization';
import { M2MError, parseTimestamp, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';

export interface AccessState {
  time: RequestTime;
  ip: RequestIp | undefined;
  /** Role-IDs of the request confirmed by valid <role> resources. */
  roles: ReadonlySet<string>;
  tokens: readonly VerifiedToken[];
  /** Assigned Token Identifiers for the response ('lti:tkid', TS-0009 6.4.18). */
  assigned: string[];
  location?: Promise<GeoLocation | undefined>;
}

/** Per-request memo; shared by the copies of a context made for fan-out and transactions. */
export interface AccessMemo {
  state?: Promise<AccessState>;
}

export function accessState(core: Core, ctx: RequestContext): Promise<AccessState> {
  ctx.access ??= {};
  ctx.access.state ??= build(core, ctx);
  return ctx.access.state;
}

export function locationOf(core: Core, ctx: RequestContext, state: AccessState): Promise<GeoLocation | undefined> {
  const source = core.authz.locationSource;
  if (!source) return Promise.resolve(undefined);
  state.location ??= Promise.resolve(source.locate({ originator: ctx.originator, transport: ctx.transport })).catch(
    (e) => {
      core.log.warn({}, `location source failed: ${(e as Error).message}`);
      return undefined; // an unknown location fails the location contexts closed
    },
  );
  return state.location;
}

const refused = (message: string): never => {
  throw new M2MError(ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE, message);
};

async function build(core: Core, ctx: RequestContext): Promise<AccessState> {
  const state: AccessState = {
    time: requestTime(ctx.now),
    ip: parseRequestIp(ctx.transport.peerAddress),
    roles: await confirmedRoles(core, ctx),
    tokens: [],
    assigned: [],
  };
  state.tokens = await requestTokens(core, ctx, state);
  return state;
}

/** TS-0003 7.4.3 step 4: a role counts if a <role> names it for this holder, now, from a trusted issuer. */
async function confirmedRoles(core: Core, ctx: RequestContext): Promise<Set<string>> {
  const wanted = (ctx.req.rids ?? []).filter(isRoleId);
  const roles = new Set<string>();
  if (wanted.length === 0 || ctx.originator === '') return roles;
  const stored = await ctx.store.resources.children(core.cseBaseRi, { ty: [ResourceType.role] });
  const now = ctx.now.getTime();
  for (const r of stored) {
    const rid = r.rlid as string;
    if (!wanted.includes(rid) || roles.has(rid)) continue;
    if (normaliseId(r.tkhd as string, core.idContext) !== ctx.originator) continue;
    if (!core.authz.roleIssuers.has(normaliseId(r.tkis as string, core.idContext))) continue;
    if (parseTimestamp(r.tknb).getTime() > now || parseTimestamp(r.tkna).getTime() < now) continue;
    roles.add(rid);
  }
  return roles;
}

function tokenFailure(which: string, e: unknown): never {
  if (e instanceof TokenError) return refused(`${which} is refused: ${e.message}`);
  throw e;
}

/** TS-0003 7.3.2.3 step 7: every token the request identifies must verify, else the request fails. */
async function requestTokens(core: Core, ctx: RequestContext, state: AccessState): Promise<VerifiedToken[]> {
  const { verifier, tokens: cache } = core.authz;
  const holder = ctx.originator;
  const out: VerifiedToken[] = [];
  const input = { holder, now: ctx.now };
  for (const [i, t] of (ctx.req.tkns ?? []).entries()) {
    let v: VerifiedToken;
    try {
      v = await verifier.verify(t, input);
    } catch (e) {
      tokenFailure(`token ${i + 1}`, e);
    }
    out.push(v!);
    const { lti, assigned } = cache.add(v!, false, ctx.now);
    if (assigned) state.assigned.push(`${lti}:${v!.claims.tkid}`);
  }
  if ((ctx.req.tids ?? []).length > 0) {
    const stored = await ctx.store.resources.children(core.cseBaseRi, { ty: [ResourceType.token] });
    for (const tid of ctx.req.tids!) {
      const r = stored.find((s) => s.tkid === tid);
      if (!r) refused(`token ID '${tid.slice(0, 64)}' identifies no <token> on this CSE`);
      let v: VerifiedToken;
      try {
        v = await verifier.verify(r!.tkob as string, input);
      } catch (e) {
        tokenFailure(`token '${tid.slice(0, 64)}'`, e);
      }
      if (v!.claims.tkid !== tid) refused(`token '${tid.slice(0, 64)}' holds a token with another tokenID`);
      out.push(v!);
    }
  }
  for (const lti of ctx.req.ltids ?? []) {
    const v = cache.get(lti, holder, ctx.now);
    if (!v) refused(`local token ID '${lti.slice(0, 64)}' is unknown or expired`);
    out.push(v!);
  }
  out.push(...cache.dasTokensOf(holder, ctx.now));
  return out;
}
