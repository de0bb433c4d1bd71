// TS-0003 8.2.1 / 7.2.1: an AE that registers inside a security association whose credential does
// not name it (Kpsa, Kc, DerivedKey, Node-ID or device certificate) gets its AE-ID bound to that
// Credential-ID once the registrar assigned it, so its next request with that AE-ID passes the
// receiver rules, on this session and on later ones with the same credential (the binding persists).
// The binding is committed before the response leaves: a client never holds an AE-ID that a
// restart would unbind.

import type { CredentialBindings } from '@m2msec/identification';
import {
  type HandlerResponse,
  type IdContext,
  Operation,
  parseOriginator,
  type RequestHandler,
  ResourceType,
  ResponseStatusCode,
  toSpRelativeOriginator,
} from '@m2msec/protocol';

export interface BindRegisteredAeOptions {
  bindings: Pick<CredentialBindings, 'addAeId'>;
  idContext: IdContext;
  /** IDs the system reserves (administrators, CSE-IDs): never bound to an AE's credential. */
  isReserved?: (spRelativeId: string) => boolean;
  onError?: (message: string) => void;
}

function assignedAeId(rsp: HandlerResponse): string | undefined {
  const pc = rsp.pc as Record<string, { aei?: unknown }> | undefined;
  const aei = pc?.['m2m:ae']?.aei;
  return typeof aei === 'string' && aei.length > 0 ? aei : undefined;
}

export function bindRegisteredAes(handler: RequestHandler, o: BindRegisteredAeOptions): RequestHandler {
  return async (raw, transport) => {
    const rsp = await handler(raw, transport);
    const sa = transport.association;
    const req = raw as { op?: unknown; ty?: unknown };
    if (
      !sa?.credentialId ||
      req?.op !== Operation.CREATE ||
      req.ty !== ResourceType.AE ||
      rsp.rsc !== ResponseStatusCode.CREATED
    ) {
      return rsp;
    }
    const aei = assignedAeId(rsp);
    if (!aei) {
      o.onError?.('AE registered inside an association without an aei in the response (rcn 0?): not bound');
      return rsp;
    }
    const aeId = toSpRelativeOriginator(parseOriginator(aei), o.idContext);
    if (sa.boundIds.includes(aeId)) return rsp;
    if (o.isReserved?.(aeId)) {
      // The registration gate refuses these (4126); a CSE that let one through is not trusted with it.
      o.onError?.(`AE-ID ${aeId} is reserved: not bound to ${sa.credentialId}`);
      return {
        rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
        rqi: rsp.rqi,
        dbg: 'the registered AE-ID is reserved by this CSE and was not bound to the credential',
      };
    }
    try {
      await o.bindings.addAeId(sa.credentialId, aeId);
    } catch (e) {
      o.onError?.(`binding AE-ID ${aeId} to ${sa.credentialId} failed: ${(e as Error).message}`);
      return {
        rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
        rqi: rsp.rqi,
        dbg: `the AE was registered as ${aei} but its AE-ID could not be bound to the security association's credential`,
      };
    }
    return rsp;
  };
}
