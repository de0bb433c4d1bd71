// Next hop of a request whose To names another CSE (TS-0001 8.2.1.1, TS-0004 7.3.2.6): a <remoteCSE>
// whose CSE-ID or descendantCSEs match the target, else the registrar (only for requests that came
// from an AE or a descendant CSE, and never at the IN-CSE).
import { M2MError, ResourceType, ResponseStatusCode, type Target } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';

export interface NextHop {
  /** SP-relative CSE-ID of the next hop. */
  cseId: string;
  /** Its points of access, in the order to try. */
  poa: string[];
  /** The hop is this CSE's registrar. */
  registrar: boolean;
}

const notFound = (message: string) => new M2MError(ResponseStatusCode.NOT_FOUND, message);

export function hopOf(csr: StoredResource, registrar: boolean): NextHop {
  const poa = Array.isArray(csr.poa) ? (csr.poa as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  if (poa.length === 0) {
    throw new M2MError(
      ResponseStatusCode.TARGET_NOT_REACHABLE,
      `CSE '${csr.csi as string}' has no pointOfAccess to forward the request to`,
    );
  }
  return { cseId: csr.csi as string, poa, registrar };
}

/**
 * Routes a non-local target. `fromCseId` is the CSE that handed us the request (the peer bound to
 * its security association), undefined when an AE or an unauthenticated client sent it.
 */
export async function nextHop(core: Core, target: Target, fromCseId: string | undefined): Promise<NextHop> {
  const { config, store, cseBaseRi } = core;
  const otherSp = target.scope === 'absolute' && target.spId !== config.spId;
  const remotes = await store.resources.children(cseBaseRi, { ty: [ResourceType.remoteCSE] });
  if (!otherSp) {
    const direct = remotes.find((r) => r.csi === target.cseId);
    if (direct) return hopOf(direct, direct.csi === config.registrarCseId);
    const below = remotes.find((r) => Array.isArray(r.dcse) && (r.dcse as unknown[]).includes(target.cseId));
    if (below) return hopOf(below, false);
  }
  const where = otherSp ? `SP '${target.spId}'` : `CSE '${target.cseId}'`;
  if (config.cseType === 1) {
    // Inter-SP forwarding over Mcc' (TS-0001 6.5) is not supported by this CSE.
    throw notFound(`${where} is not registered to this IN-CSE (no <remoteCSE> matches the target)`);
  }
  const registrarId = config.registrarCseId;
  if (!registrarId) throw notFound(`${where} is unknown here and this CSE has no registrar configured`);
  if (fromCseId === registrarId) {
    throw notFound(`${where} is not below this CSE; a request from its registrar is not sent back up`);
  }
  const registrar = remotes.find((r) => r.csi === registrarId);
  if (!registrar) {
    throw new M2MError(
      ResponseStatusCode.TARGET_NOT_REACHABLE,
      `this CSE is not registered to its registrar '${registrarId}' yet; ${where} cannot be reached`,
    );
  }
  return hopOf(registrar, true);
}
