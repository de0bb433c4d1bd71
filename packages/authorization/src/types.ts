// Access-control data as stored in <accessControlPolicy> (TS-0004 6.3.5.27 m2m:setOfAcrs / m2m:accessControlRule),
// short names as on the wire.
export interface AccessControlRule {
  acor: string[]; // accessControlOriginators
  acop: number; // accessControlOperations bitmask
  acco?: unknown[]; // accessControlContexts (evaluated in a later stage; presence fails closed until then)
  acaf?: boolean; // accessControlAuthenticationFlag
  acod?: unknown[]; // accessControlObjectDetails
}
export interface SetOfAcrs {
  acr: AccessControlRule[];
}
export interface AccessControlPolicyResource {
  ri: string;
  lt?: string;
  pv?: SetOfAcrs;
  pvs?: SetOfAcrs;
}

/** The inputs of one decision (TS-0003 7.1.2). */
export interface AccessRequest {
  /** Originator in the SP-relative form this CSE normalises to (absolute for other SPs). */
  originator: string;
  /** The acop bit the operation needs (AccessControlOperation). */
  operation: number;
  /** rq_authn (TS-0003 7.1.2). */
  authenticated: boolean;
  /** Resource type being created (CREATE only). */
  resourceType?: number;
}

/** A rule set compiled once per policy change; evaluation allocates nothing. */
export interface CompiledRuleSet {
  permits(req: AccessRequest): boolean;
}
