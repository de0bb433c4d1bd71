// The access decision point of a Hosting CSE (TS-0003 6.2.2 PDP, 7.1; TS-0001 10.2.3; TS-0004 7.3.3.15):
// <accessControlPolicy> targets by their selfPrivileges; types without acpi by their parent; acpi set -> the
// privileges of those policies (and of dynamic policies a DAS granted); acpi not set -> the default policy,
// only the resource's creator. Tokens add their privileges and Role-IDs, except on a policy itself. A deny
// goes on to Direct Dynamic Authorization (never for a policy). The CSE supplies the ports (ports.ts) and
// enforces the Decision; this class decides, and explains a decision for administrators.
import { AccessControlOperation, type IdContext, Operation, ResourceType } from '@m2msec/protocol';
import type { AccessDecisionEngine, PolicySelection } from '../engine.js';
import { selection } from '../engine.js';
import { type Explanation, explainDecision } from '../explain.js';
import type { LocationSource } from '../location/source.js';
import type { TokenCache } from '../tokens/token-cache.js';
import { type TokenVerifier, tokenGrants } from '../tokens/verify-token.js';
import type { AccessRequest, CompiledRuleSet, GeoLocation } from '../types.js';
import { CREATOR_DEFAULT, type Decision, deny } from './decision.js';
import type {
  CredentialResources,
  DasClient,
  DecisionResource,
  DecisionSubject,
  GroupMembership,
  PolicyRetrieval,
  RequestState,
} from './ports.js';
import { buildRequestState, type RequestStateSources } from './request-state.js';

export interface DecisionPointOptions<S extends DecisionSubject, R extends DecisionResource> {
  idContext: IdContext;
  engine: AccessDecisionEngine;
  policies: PolicyRetrieval<S, R>;
  groups: GroupMembership<S>;
  resources: CredentialResources<S>;
  verifier: TokenVerifier;
  tokenCache: TokenCache;
  roleIssuers: ReadonlySet<string>;
  locationSource?: LocationSource;
  das?: DasClient<S, R>;
  /** A location source failure (the contexts then fail closed). */
  onLocationError?: (e: unknown) => void;
}

/** What one decision on a target evaluates. */
export interface Evaluation<R extends DecisionResource> {
  governing: R;
  policySets: PolicySelection;
  creatorDefault: boolean;
  request: AccessRequest;
}

/** Refusals without a rule to name: constants, so a filtered discovery allocates nothing per resource. */
const GONE = deny('the resource whose policies govern the target no longer exists');
const NO_RULE = deny('no rule of the governing policies, tokens or dynamic grants permits');

/** Whether a resource's acpi holds links (an absent or empty value leaves the default policy in force). */
export function hasPolicyLinks(r: DecisionResource): boolean {
  return Array.isArray(r.acpi) && r.acpi.length > 0;
}

/** The containerDefinition / mgmtDefinition in a CREATE Content (acod specializationType, TS-0003 7.1.5). */
function specializationOf(pc: unknown): string | number | undefined {
  const body = pc && typeof pc === 'object' ? Object.values(pc as Record<string, unknown>)[0] : undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { cnd?: unknown; mgd?: unknown };
  const v = b.cnd ?? b.mgd;
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

export class AccessDecisionPoint<S extends DecisionSubject, R extends DecisionResource> {
  private readonly stateSources: RequestStateSources<S>;

  constructor(private readonly o: DecisionPointOptions<S, R>) {
    this.stateSources = {
      idContext: o.idContext,
      verifier: o.verifier,
      tokenCache: o.tokenCache,
      roleIssuers: o.roleIssuers,
      resources: o.resources,
    };
  }

  /** The request side of decisions, memoised on the subject (once per request). */
  state(s: S): Promise<RequestState> {
    s.access ??= {};
    s.access.state ??= buildRequestState(this.stateSources, s);
    return s.access.state;
  }

  /** rq_loc, asked once per request and only when a policy needs it; a failing source fails closed. */
  location(s: S, state: RequestState): Promise<GeoLocation | undefined> {
    const source = this.o.locationSource;
    if (!source) return Promise.resolve(undefined);
    state.location ??= Promise.resolve(source.locate({ originator: s.originator, transport: s.transport })).catch(
      (e) => {
        this.o.onLocationError?.(e);
        return undefined;
      },
    );
    return state.location;
  }

  /** The rule sets, creator default and request of one decision on `target`; undefined if no governing resource. */
  async evaluate(
    s: S,
    target: R,
    operation: number,
    which: 'pv' | 'pvs',
    state: RequestState,
  ): Promise<Evaluation<R> | undefined> {
    const { engine, policies } = this.o;
    const governing = await policies.governing(s, target);
    if (!governing) return undefined;
    let sets: CompiledRuleSet[];
    let creatorDefault = false;
    const policyTarget = governing.ty === ResourceType.accessControlPolicy;
    if (policyTarget) {
      sets = [engine.compiled(governing as unknown as Parameters<AccessDecisionEngine['compiled']>[0]).pvs];
    } else {
      const linked = hasPolicyLinks(governing) ? await policies.policies(s, governing.acpi as string[]) : [];
      // A dynamic policy's pvs names this CSE, for managing the grant itself; it never decides who relinks acpi.
      const dynamic =
        which === 'pv' ? await policies.policies(s, (governing.__dacpi as string[] | undefined) ?? []) : [];
      sets = [...linked, ...dynamic].map((p) => engine.compiled(p)[which]);
      // TS-0001 Table 9.6.1.3.2-1: the default policy applies only while acpi has no value. Links that
      // all point to deleted policies are still a value: nothing matches (fail closed, docs/authorization.md).
      creatorDefault = which === 'pv' && !hasPolicyLinks(governing);
    }
    // Tokens (TS-0003 7.3.2.5): privileges for the resources they name, Role-IDs for the decision. Not
    // for acpi changes (selfPrivileges alone) and not on an <accessControlPolicy>: TS-0001 10.2.3 decides
    // a request to a policy by its selfPrivileges and denies otherwise, without dynamic authorization, so a
    // token can never rewrite the rules that outlive it.
    const withTokens = which === 'pv' && !policyTarget && state.tokens.length > 0;
    const grants = withTokens
      ? tokenGrants(state.tokens, [target.ri, target.srn, governing.ri, governing.srn])
      : { privileges: [], roleIds: [] };
    const policySets = selection(grants.privileges.length > 0 ? [...sets, ...grants.privileges] : sets);
    const roles = grants.roleIds.length > 0 ? new Set([...state.roles, ...grants.roleIds]) : state.roles;
    const create = s.req.op === Operation.CREATE && operation === AccessControlOperation.CREATE;
    const request: AccessRequest = {
      originator: s.originator,
      operation,
      authenticated: s.authenticated,
      ...(create ? { resourceType: s.req.ty, targetType: target.ty, specialization: specializationOf(s.req.pc) } : {}),
      time: state.time,
      ip: state.ip,
      roles,
    };
    if (policySets.groupCandidates.length > 0)
      request.groups = await this.o.groups.memberOf(s, policySets.groupCandidates);
    if (policySets.needsLocation) request.location = await this.location(s, state);
    return { governing, policySets, creatorDefault, request };
  }

  /** The Decision of an evaluation: the creator default, else the first permitting rule (permit-overrides). */
  judge(e: Evaluation<R> | undefined, s: S): Decision {
    if (!e) return GONE;
    if (e.creatorDefault && e.governing.__cr !== undefined && e.governing.__cr === s.originator) return CREATOR_DEFAULT;
    return e.policySets.decide(e.request) ?? NO_RULE;
  }

  /** Whether `s` may perform `operation` (an acop bit) on `target` now; no DAS consultation. */
  async decide(s: S, target: R, operation: number): Promise<Decision> {
    return this.judge(await this.evaluate(s, target, operation, 'pv', await this.state(s)), s);
  }

  /**
   * The decision for a request's target (TS-0004 7.3.3.15): policies and tokens, then on a deny Direct
   * Dynamic Authorization (not for an <accessControlPolicy>, TS-0001 10.2.3), then the re-evaluation on the
   * target's stored form (the grant linked a dynamic policy to it).
   */
  async decideWithDas(s: S, target: R, operation: number): Promise<Decision> {
    const state = await this.state(s);
    const e = await this.evaluate(s, target, operation, 'pv', state);
    const first = this.judge(e, s);
    if (first.permit || !e || !this.o.das || e.governing.ty === ResourceType.accessControlPolicy) return first;
    if (s.originator === '') return first;
    const granted = await this.o.das.consult(s, target, e.governing, e.policySets, state);
    if (!granted) return first;
    const fresh = (await this.o.policies.reread(s, target)) ?? target;
    return this.judge(await this.evaluate(s, fresh, operation, 'pv', state), s);
  }

  /**
   * Policy management: may `s` change acpi (or daci) of `target`? TS-0001 Table 9.6.1.3.2-1 and 9.6.2.0: with
   * links, UPDATE in the selfPrivileges of a currently linked, existing policy; without, the creator alone.
   * Never a token, a DAS grant or a dynamic policy: a holder who could relink would keep access after they end.
   */
  async decidePolicyUpdate(s: S, target: R): Promise<Decision> {
    if (!hasPolicyLinks(target)) {
      if (target.__cr !== undefined && target.__cr === s.originator) return CREATOR_DEFAULT;
      return deny('it links no policy: only its creator may link them');
    }
    const e = await this.evaluate(s, target, AccessControlOperation.UPDATE, 'pvs', await this.state(s));
    return e?.policySets.decide(e.request) ?? deny('needs UPDATE in the selfPrivileges of a linked policy');
  }

  /**
   * "Would `s` be allowed `operation` on `target` now, and by which rule?" The same evaluation as decide()
   * (the Decision is decide()'s), without consulting a DAS (an explanation must not create grants), plus a
   * verdict per rule of the governing policies saying why it does or does not permit.
   */
  async explain(s: S, target: R, operation: number): Promise<AccessExplanation> {
    const state = await this.state(s);
    const e = await this.evaluate(s, target, operation, 'pv', state);
    const decision = this.judge(e, s);
    if (!e) return { ...decision, rules: [], policies: [] };
    const policyTarget = e.governing.ty === ResourceType.accessControlPolicy;
    const which = policyTarget ? 'pvs' : 'pv';
    const policies = policyTarget
      ? [e.governing as unknown as { ri: string; pvs?: unknown }]
      : [
          ...(hasPolicyLinks(e.governing) ? await this.o.policies.policies(s, e.governing.acpi as string[]) : []),
          ...(await this.o.policies.policies(s, (e.governing.__dacpi as string[] | undefined) ?? [])),
        ];
    const detail: Explanation = explainDecision(policies, which, e.request, this.o.idContext);
    return {
      permit: decision.permit,
      ...(decision.rule !== undefined ? { rule: decision.rule } : {}),
      reason: decision.permit ? decision.reason : `${decision.reason}: ${detail.reason}`,
      governing: e.governing.srn,
      policies: policies.map((p) => p.ri),
      context: {
        authenticated: e.request.authenticated,
        ...(e.request.roles && e.request.roles.size > 0 ? { roles: [...e.request.roles] } : {}),
        ...(e.request.groups && e.request.groups.size > 0 ? { groups: [...e.request.groups] } : {}),
        ...(e.request.location ? { location: e.request.location } : {}),
        tokens: state.tokens.length,
      },
      rules: detail.rules,
    };
  }
}

/** decide()'s Decision with what it rests on, for an administrator (issue 17's console explainer). */
export interface AccessExplanation extends Decision {
  /** srn of the resource whose policies govern the target. */
  governing?: string;
  /** resourceIDs of the policies evaluated (acpi, then dynamic grants; the policy itself for a policy). */
  policies: string[];
  /** The request context the rules were evaluated against. */
  context?: {
    authenticated: boolean;
    roles?: string[];
    groups?: string[];
    location?: GeoLocation;
    tokens: number;
  };
  rules: Explanation['rules'];
}
