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
  /** SA policy for Mca (TS-0003 6.1.2.2.1): AE originators outside an association get 4107. */
  requireAssociationForAe?: boolean;
  /**
   * Whether an AE-ID is bound to a credential (it registered inside a security association, or an
   * operator bound it): such an AE is only ever itself inside an association with that credential,
   * never on a plain transport (TS-0003 7.2.1 AE impersonation prevention).
   */
  isCredentialBoundAe?: (aeId: string) => boolean;
}

/** Who the security association authenticated, when the request came through one. */
export interface Principal {
  /** From, SP-relative: one of the identities bound to the association. */
  id: string;
  credentialId?: string;
  framework: string;
}

export interface AuthenticationResult {
  /** rq_authn: From matches an identity the security association authenticated. */
  authenticated: boolean;
  principal?: Principal;
}

const isAeRegistration = (i: AuthenticationInput) => i.op === Operation.CREATE && i.ty === ResourceType.AE;

const isCseRegistration = (i: AuthenticationInput) => i.op === Operation.CREATE && i.ty === ResourceType.remoteCSE;

/** Inside an association From must be one of the identities bound to it (else 4106). */
function insideAssociation(
  i: AuthenticationInput,
  sa: NonNullable<TransportContext['association']>,
): AuthenticationResult {
  const boundIds = sa.boundIds;
  const principal = (id: string): AuthenticationResult => ({
    authenticated: true,
    principal: { id, framework: sa.framework, ...(sa.credentialId ? { credentialId: sa.credentialId } : {}) },
  });
  if (boundIds.includes(i.originator)) return principal(i.originator);
  // The administrator decision already matched From to a principal whose credential this association
  // proved (@m2msec/administration, TS-0003 6.2.3).
  if (i.admin) return principal(i.originator);
  if (isAeRegistration(i)) {
    // A first registration names no AE-ID yet ('C', 'S' or none): the association's credential
    // is checked by the registration gate, the new AE-ID is bound after it is assigned.
    if (i.from === undefined || i.from.raw === 'C' || i.from.raw === 'S') return principal(i.originator);
    // A credential bound to no identity yet (Kpsa, Kc, DerivedKey, Node-ID / device certificate) may
    // ask for an AE-ID-Stem; the <serviceSubscribedAppRule> for its Credential-ID (allowedAEs) decides.
    if (boundIds.length === 0 && (i.from.kind === 'ae-c' || i.from.kind === 'ae-s')) return principal(i.originator);
  }
  if (isCseRegistration(i)) {
    throw new M2MError(
      ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED,
      `the security association's credential does not authenticate CSE '${i.originator}' (TS-0004 7.3.2.1, CREATE <remoteCSE>)`,
    );
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
  if (i.requireAssociationForAe) {
    throw new M2MError(
      ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED,
      `originator '${i.originator || '(none)'}' must use a security association on Mca (TS-0003 6.1.2.2.1)`,
    );
  }
  if (isAeRegistration(i)) return { authenticated: false };
  const isAe = i.from !== undefined && (i.from.kind === 'ae-c' || i.from.kind === 'ae-s');
  if (isAe && i.isCredentialBoundAe?.(i.originator)) {
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
      `AE '${i.originator}' is bound to a credential: its requests must come over a security association with that credential (TS-0003 7.2.1)`,
    );
  }
  if (isAe && (await i.isRegisteredAe(i.originator))) {
    return { authenticated: false };
  }
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
    i.originator === '' ? 'request has no originator (From)' : `originator '${i.originator}' is not a registered AE`,
  );
}

/**
 * The authentication step: rq_authn and the principal from the transport's security association.
 * Credentials in HTTP headers (Basic, Bearer) play no part: TS-0003 ties rq_authn to the SAEF (or ESPrim).
 */
export async function authenticateRequest(i: AuthenticationInput): Promise<AuthenticationResult> {
  const sa = i.transport.association;
  return sa ? insideAssociation(i, sa) : outsideAssociation(i);
}

export interface AuthenticatorOptions {
  /** Mca policy (security-association's ReferencePointPolicy.mca). */
  mca: 'required' | 'optional';
  /** AE-IDs bound to a credential are refused outside an association (4106). */
  isCredentialBoundAe?: (aeId: string) => boolean;
}

/** An authenticate step for CseOptions.authenticate with the SA policy applied. */
export function createAuthenticator(
  o: AuthenticatorOptions,
): (i: AuthenticationInput) => Promise<AuthenticationResult> {
  const requireAssociationForAe = o.mca === 'required';
  const bound = o.isCredentialBoundAe ? { isCredentialBoundAe: o.isCredentialBoundAe } : {};
  return (i) => authenticateRequest({ ...i, requireAssociationForAe, ...bound });
}
