// The request side of an access decision, worked out once per request (TS-0003 7.1.2): rq_time and
// rq_ip, the Role-IDs that <role> resources confirm (7.4.3), the tokens of the request (Tokens, Token
// IDs, Local-Token-IDs, tokens a DAS issued for this originator; 7.3.2.3) and, when a policy asks,
// rq_loc from the location source.
import { type IdContext, M2MError, parseTimestamp, ResponseStatusCode } from '@m2msec/protocol';
import { parseRequestIp } from '../contexts/ip.js';
import { requestTime } from '../contexts/window.js';
import { isRoleId } from '../rules/originators.js';
import type { TokenCache } from '../tokens/token-cache.js';
import { TokenError } from '../tokens/token-error.js';
import { normaliseId, type TokenVerifier, type VerifiedToken } from '../tokens/verify-token.js';
import type { CredentialResources, DecisionSubject, RequestState } from './ports.js';

export interface RequestStateSources<S extends DecisionSubject> {
  idContext: IdContext;
  verifier: TokenVerifier;
  tokenCache: TokenCache;
  /** Authorization Authorities whose <role> resources are valid, SP-relative. */
  roleIssuers: ReadonlySet<string>;
  resources: CredentialResources<S>;
}

const refused = (message: string): never => {
  throw new M2MError(ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE, message);
};

export async function buildRequestState<S extends DecisionSubject>(
  src: RequestStateSources<S>,
  s: S,
): Promise<RequestState> {
  const state: RequestState = {
    time: requestTime(s.now),
    ip: parseRequestIp(s.transport.peerAddress),
    roles: await confirmedRoles(src, s),
    tokens: [],
    assigned: [],
  };
  state.tokens = await requestTokens(src, s, state);
  return state;
}

/** TS-0003 7.4.3 step 4: a role counts if a <role> names it for this holder, now, from a trusted issuer. */
async function confirmedRoles<S extends DecisionSubject>(src: RequestStateSources<S>, s: S): Promise<Set<string>> {
  const wanted = (s.req.rids ?? []).filter(isRoleId);
  const roles = new Set<string>();
  if (wanted.length === 0 || s.originator === '') return roles;
  const stored = await src.resources.roles(s);
  const now = s.now.getTime();
  for (const r of stored) {
    const rid = r.rlid as string;
    if (!wanted.includes(rid) || roles.has(rid)) continue;
    if (normaliseId(r.tkhd as string, src.idContext) !== s.originator) continue;
    if (!src.roleIssuers.has(normaliseId(r.tkis as string, src.idContext))) continue;
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
async function requestTokens<S extends DecisionSubject>(
  src: RequestStateSources<S>,
  s: S,
  state: RequestState,
): Promise<VerifiedToken[]> {
  const { verifier, tokenCache: cache } = src;
  const holder = s.originator;
  const out: VerifiedToken[] = [];
  const input = { holder, now: s.now };
  for (const [i, t] of (s.req.tkns ?? []).entries()) {
    let v: VerifiedToken;
    try {
      v = await verifier.verify(t, input);
    } catch (e) {
      tokenFailure(`token ${i + 1}`, e);
    }
    out.push(v!);
    const { lti, assigned } = cache.add(v!, false, s.now);
    if (assigned) state.assigned.push(`${lti}:${v!.claims.tkid}`);
  }
  if ((s.req.tids ?? []).length > 0) {
    const stored = await src.resources.tokens(s);
    for (const tid of s.req.tids!) {
      const r = stored.find((x) => x.tkid === tid);
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
  for (const lti of s.req.ltids ?? []) {
    const v = cache.get(lti, holder, s.now);
    if (!v) refused(`local token ID '${lti.slice(0, 64)}' is unknown or expired`);
    out.push(v!);
  }
  out.push(...cache.dasTokensOf(holder, s.now));
  return out;
}
