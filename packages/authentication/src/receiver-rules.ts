// Receiver rules of TS-0004 7.3.2.1 and TS-0003 7.2.1 (AE impersonation prevention): decides whether
// From may be used on the transport the request arrived on, and the rq_authn value (TS-0003 7.1.2).
import {
  M2MError,
  Operation,
  type Originator,
  ResourceType,
  ResponseStatusCode,
  type TransportContext,
} from '@m2msec/protocol';

export interface AuthenticationInput {
  op: number;
  ty?: number;
  from?: Originator;
  /** From normalised to SP-relative form ('' when absent). */
  originator: string;
  transport: TransportContext;
  /** Originators with the system's fixed privileges (already normalised). */
  admin: boolean;
  /** Whether an AE with this SP-relative AE-ID is registered here. */
  isRegisteredAe(aeId: string): Promise<boolean>;
  /** TS-0004 7.3.2.1 requires an association for CSE originators; a closed lab may waive it. */
  allowCseWithoutAssociation: boolean;
}

export interface AuthenticationResult {
  /** rq_authn: From matches an identity the security association authenticated. */
  authenticated: boolean;
}

const isAeRegistration = (i: AuthenticationInput) => i.op === Operation.CREATE && i.ty === ResourceType.AE;

/** Inside an association From must be one of the identities bound to it (else 4106). */
function insideAssociation(i: AuthenticationInput, boundIds: readonly string[]): AuthenticationResult {
  if (boundIds.includes(i.originator)) return { authenticated: true };
  // A first registration names no AE-ID yet ('C', 'S' or none): the association's credential
  // is checked by the registration gate, the new AE-ID is bound after it is assigned.
  if (isAeRegistration(i) && (i.from === undefined || i.from.raw === 'C' || i.from.raw === 'S')) {
    return { authenticated: true };
  }
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
    `originator '${i.originator}' is not an identity bound to this security association`,
  );
}

async function outsideAssociation(i: AuthenticationInput): Promise<AuthenticationResult> {
  if (i.admin) return { authenticated: false };
  if (i.from?.kind === 'cse') {
    if (i.allowCseWithoutAssociation) return { authenticated: false };
    throw new M2MError(
      ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED,
      `CSE originator '${i.originator}' requires a security association`,
    );
  }
  if (isAeRegistration(i)) return { authenticated: false };
  if (i.from && (i.from.kind === 'ae-c' || i.from.kind === 'ae-s') && (await i.isRegisteredAe(i.originator))) {
    return { authenticated: false };
  }
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
    i.originator === '' ? 'request has no originator (From)' : `originator '${i.originator}' is not a registered AE`,
  );
}

export async function authenticateRequest(i: AuthenticationInput): Promise<AuthenticationResult> {
  const bound = i.transport.association?.boundIds;
  return bound ? insideAssociation(i, bound) : outsideAssociation(i);
}
