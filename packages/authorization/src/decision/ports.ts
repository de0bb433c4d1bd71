// What the access decision point (TS-0003 6.2.2: the Policy Decision Point of the Hosting CSE) asks the
// CSE around it, as small interfaces the CSE implements over its store and bindings: policy retrieval
// (Policy Retrieval Point: acpi and dynamic policies, followed by resourceID only), <group> membership,
// <role> and <token> resources (Policy Information Point, TS-0003 7.3.2.3 / 7.4.3), rq_loc
// (location/source.ts) and the Dynamic Authorization Server client (TS-0003 7.3.2.2). The CSE itself only
// enforces the Decision (Policy Enforcement Point).
import type { RequestPrimitive, TransportContext } from '@m2msec/protocol';
import type { PolicySelection } from '../engine.js';
import type { VerifiedToken } from '../tokens/verify-token.js';
import type { AccessControlPolicyResource, GeoLocation, RequestIp, RequestTime } from '../types.js';

/** A resource as the Hosting CSE stores it; the decision reads these attributes and acpi, __cr, __dacpi. */
export interface DecisionResource {
  readonly ri: string;
  readonly pi: string;
  readonly ty: number;
  readonly srn: string;
  readonly [attribute: string]: unknown;
}

/** The request side of decisions, worked out once per request (TS-0003 7.1.2). */
export interface RequestState {
  time: RequestTime;
  ip: RequestIp | undefined;
  /** Role-IDs of the request confirmed by valid <role> resources. */
  roles: ReadonlySet<string>;
  tokens: readonly VerifiedToken[];
  /** Assigned Token Identifiers for the response ('lti:tkid', TS-0009 6.4.18). */
  assigned: string[];
  location?: Promise<GeoLocation | undefined>;
}

/**
 * Who asks, as the CSE's request context already holds it (no copy per request). `access` is the
 * per-request memo of the RequestState, shared by the copies of a context made for fan-out.
 */
export interface DecisionSubject {
  readonly req: Pick<RequestPrimitive, 'op' | 'ty' | 'pc' | 'rids' | 'tkns' | 'tids' | 'ltids'>;
  readonly transport: TransportContext;
  /** From, normalised like AccessRequest.originator; '' when absent. */
  readonly originator: string;
  /** rq_authn. */
  readonly authenticated: boolean;
  /** rq_time. */
  readonly now: Date;
  access?: { state?: Promise<RequestState> };
}

/** Policy retrieval: which resource's links govern a target, and the live policies that links name. */
export interface PolicyRetrieval<S extends DecisionSubject, R extends DecisionResource> {
  /** The resource whose acpi governs `target` (TS-0001 10.2.3: types without acpi use their parent's). */
  governing(subject: S, target: R): Promise<R | undefined>;
  /** Live <accessControlPolicy> resources named by `links`; missing, expired or other types are skipped. */
  policies(subject: S, links: readonly string[]): Promise<AccessControlPolicyResource[]>;
  /** The target's stored form now (after a DAS grant linked a dynamic policy to it). */
  reread(subject: S, target: R): Promise<R | undefined>;
}

/** <group> membership: which acor candidates are groups whose members include the originator. */
export interface GroupMembership<S extends DecisionSubject> {
  memberOf(subject: S, candidates: readonly string[]): Promise<ReadonlySet<string>>;
}

/** A stored <role> (TS-0004 7.4.38): roleID, holder, issuer, validity. */
export interface StoredRole {
  readonly rlid?: unknown;
  readonly tkhd?: unknown;
  readonly tkis?: unknown;
  readonly tknb?: unknown;
  readonly tkna?: unknown;
  readonly [attribute: string]: unknown;
}

/** A stored <token> (TS-0004 7.4.39): tokenID and the token object. */
export interface StoredToken {
  readonly tkid?: unknown;
  readonly tkob?: unknown;
  readonly [attribute: string]: unknown;
}

/** The <role> and <token> resources of the Hosting CSE (read only when a request names role or token IDs). */
export interface CredentialResources<S extends DecisionSubject> {
  roles(subject: S): Promise<readonly StoredRole[]>;
  tokens(subject: S): Promise<readonly StoredToken[]>;
}

/**
 * Direct Dynamic Authorization (TS-0003 7.3.2.2): after a deny, consult the DAS Servers linked to the
 * target; true when a grant was applied (a dynamic policy linked, or tokens added to `state`).
 */
export interface DasClient<S extends DecisionSubject, R extends DecisionResource> {
  consult(subject: S, target: R, governing: R, selection: PolicySelection, state: RequestState): Promise<boolean>;
}
