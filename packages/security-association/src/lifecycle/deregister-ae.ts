// Deregistration of an AE (DELETE of its <AE>, or its expiry; TS-0001 10.1.1.1 / TS-0004 7.4.5) ends
// what its credentials may do as that AE (issue 12): the AE-ID leaves every Credential-ID binding
// before the resource goes (fail closed: a failure here fails the deletion), and the live
// associations that could act as it (a credential bound to it, or a certificate proving it) are torn
// down. The old credential can no longer use the AE-ID, and a later AE that gets the same AE-ID is
// not reachable through it.
import { parseCredentialId } from '@m2msec/identification';
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import type { PersistentCredentialBindings } from '../bindings/persistent-bindings.js';
import type { SecurityAssociationRegistry } from '../registry/registry.js';

export interface AeDeregistrationOptions {
  bindings: Pick<PersistentCredentialBindings, 'removeAeId'>;
  registry: SecurityAssociationRegistry;
  idContext: IdContext;
}

const credentialKey = (credentialId: string): string | undefined => {
  try {
    return parseCredentialId(credentialId).id;
  } catch {
    return undefined;
  }
};

/** Returns the number of associations torn down. */
export async function deregisterAe(o: AeDeregistrationOptions, aei: string): Promise<number> {
  let aeId: string;
  try {
    aeId = toSpRelativeOriginator(parseOriginator(aei), o.idContext);
  } catch {
    // Bindings hold parsed AE-IDs only: an AE-ID that does not parse is bound to nothing.
    return 0;
  }
  const unbound = new Set(await o.bindings.removeAeId(aeId));
  return o.registry.teardown(
    (a) => unbound.has(credentialKey(a.credentialId) ?? '') || a.provenIds.includes(aeId),
    `AE ${aeId} deregistered`,
    // The DELETE may have come over one of these sessions: its 2002 goes out first.
    { graceful: true },
  );
}
