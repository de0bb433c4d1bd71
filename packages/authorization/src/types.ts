// Access-control data as stored in <accessControlPolicy> (TS-0004 6.3.5.26 m2m:setOfAcrs, 6.3.5.27
// m2m:accessControlRule), short names as on the wire, and the inputs of one decision (TS-0003 7.1.2).
import type { Decision } from './decision/decision.js';

/** accessControlContexts entry (TS-0004 Table 6.3.5.27-1). */
export interface AccessControlContext {
  /** accessControlWindow: m2m:scheduleEntry strings (TS-0004 7.4.9.1, 7 fields, UTC). */
  actw?: string[];
  /** accessControlIpAddresses. */
  acip?: { ipv4?: string[]; ipv6?: string[] };
  /** accessControlLocationRegion (m2m:locationRegion, an xs:choice of accc or accr). */
  aclr?: { accc?: string[]; accr?: number[] };
}

/** accessControlObjectDetails entry (TS-0003 Table 7.1.3-4). */
export interface AccessControlObjectDetails {
  ty?: number; // resourceType of the targeted (parent) resource
  spty?: string | number; // specializationType (containerDefinition / mgmtDefinition)
  chty: number[]; // childResourceType
}

export interface AccessControlRule {
  acor: string[]; // accessControlOriginators
  acop: number; // accessControlOperations bitmask
  acco?: AccessControlContext[];
  acaf?: boolean; // accessControlAuthenticationFlag (absent = false)
  acod?: AccessControlObjectDetails[];
}

export interface SetOfAcrs {
  acr: AccessControlRule[];
}

export interface AccessControlPolicyResource {
  ri: string;
  /** lastModifiedTime: the compiled form is reused while it is unchanged. */
  lt?: string;
  pv?: SetOfAcrs;
  pvs?: SetOfAcrs;
}

/** rq_time split into the UTC fields of an m2m:scheduleEntry (TS-0004 Table 7.4.9.1-4). */
export interface RequestTime {
  second: number;
  minute: number;
  hour: number;
  dayOfMonth: number;
  month: number; // 1..12
  dayOfWeek: number; // 0 = Sunday
  year: number;
}

/** rq_ip as numbers: an IPv4 address is one 32-bit word, an IPv6 address four (big-endian). */
export type RequestIp = { family: 4; v4: number } | { family: 6; v6: Uint32Array };

/** rq_loc: WGS84 degrees; `country` (ISO 3166-1 alpha-2) when the location source knows it. */
export interface GeoLocation {
  latitude: number;
  longitude: number;
  country?: string;
}

/** The inputs of one decision (TS-0003 7.1.2). Absent context values make context rules fail closed. */
export interface AccessRequest {
  /** Originator in the SP-relative form this CSE normalises to (absolute for other SPs). */
  originator: string;
  /** The acop bit the operation needs (AccessControlOperation). */
  operation: number;
  /** rq_authn (TS-0003 7.1.2). */
  authenticated: boolean;
  /** CREATE: the Resource Type parameter (type being created). */
  resourceType?: number;
  /** CREATE: type of the targeted (parent) resource, for acod resourceType. */
  targetType?: number;
  /** CREATE: containerDefinition / mgmtDefinition in the Content, for acod specializationType (TS-0003 7.1.5). */
  specialization?: string | number;
  /** rq_time. */
  time?: RequestTime;
  /** rq_ip. */
  ip?: RequestIp;
  /** rq_loc. */
  location?: GeoLocation;
  /** Role-IDs verified for this originator (role resources, token roleIDs). */
  roles?: ReadonlySet<string>;
  /** <group> resource IDs (as written in acor) whose members include the originator. */
  groups?: ReadonlySet<string>;
}

/** A rule set compiled once per policy change. */
export interface CompiledRuleSet {
  permits(req: AccessRequest): boolean;
  /** The first permitting rule's Decision (permit-overrides), undefined when none permits. */
  decide(req: AccessRequest): Decision | undefined;
  /** acor entries that may name <group> resources (the caller resolves membership). */
  readonly groupCandidates: readonly string[];
  /** Whether some rule has a location context (the caller then asks its location source). */
  readonly needsLocation: boolean;
  /** Role-IDs named in acor (TS-0003 7.3.2.2 step 2.2.1, roleIDsFromACPs). */
  readonly roleIds: readonly string[];
}
