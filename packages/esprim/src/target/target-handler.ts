// The Target's outer primitive processing (TS-0004 7.6.2, 7.5.1.2.11, 7.5.1.2.13) and originator
// verification (TS-0003 7.2.2), as a wrapper around a CSE's RequestHandler: an outer NOTIFY to this
// CSE's <CSEBase> carrying m2m:seci is answered here, and the verified inner request is handed to the CSE
// with the hop-by-hop transport context unchanged plus a record, kept here and readable only through
// esprimVerifiedOriginator, of the identity ESPrim proved. The CSE's `endToEndAuthenticated` option reads
// it to set rq_authn, so acaf rules can match an originator whose requests were relayed by other CSEs.
import {
  type HandlerResponse,
  M2MError,
  Operation,
  type RequestHandler,
  type RequestPrimitive,
  ResponseStatusCode,
  type TransportContext,
} from '@m2msec/protocol';
import { esprimError } from '../lib/errors.js';
import type { ESPrimReceiver } from '../session/receiver.js';
import { SecurityInfoType, securityInfoContent, securityInfoOf } from './security-info.js';

export interface ESPrimTargetOptions {
  receiver: ESPrimReceiver;
  /** True when `to` addresses this CSE's <CSEBase> (any of its CSE-relative, SP-relative, absolute forms). */
  isCseBase(to: string): boolean;
  /**
   * This CSE's CSE-ID (SP-relative): an AE whose Registrar is this CSE sends its AE-ID-Stem as From (TS-0004
   * 7.3.2.1), which names the same AE-ID `<cseId>/<stem>`.
   */
  cseId?: string;
  /** A test hook: sees every verified inner request before it is handled. */
  onVerified?(inner: RequestPrimitive, identity: string): void;
}

/**
 * TS-0003 7.2.2 steps 3 - 5: the inner From must be exactly the identity associated with the
 * pairwiseESPrimKey (SP-relative form), or, at the Registrar `cseId`, its CSE-relative form; else 4116.
 */
export function verifyESPrimOriginator(inner: RequestPrimitive, identity: string, cseId?: string): void {
  const fr = inner.fr;
  const cseRelative =
    cseId !== undefined && typeof fr === 'string' && /^[^/]+$/.test(fr) && `${cseId}/${fr}` === identity;
  if (fr !== identity && !cseRelative) {
    throw esprimError('impersonation', "the inner request's From is not the identity bound to the pairwiseESPrimKey");
  }
}

/**
 * Identities proved by ESPrim, keyed by the transport-context object the inner request is handled with.
 * Only this module creates those objects, so no binding or header can forge the record.
 */
const verified = new WeakMap<TransportContext, { identity: string; kid: string }>();

/** The originator ESPrim proved for the request handled with `transport`, if any (TS-0003 7.2.2 step 5). */
export function esprimVerifiedOriginator(transport: TransportContext): string | undefined {
  return verified.get(transport)?.identity;
}

/** For CseOptions.endToEndAuthenticated: rq_authn when ESPrim proved exactly this originator. */
export function esprimAuthenticated(originator: string, transport: TransportContext): boolean {
  return esprimVerifiedOriginator(transport) === originator;
}

function innerTransport(outer: TransportContext, identity: string, kid: string): TransportContext {
  const t: TransportContext = { ...outer };
  verified.set(t, { identity, kid });
  return t;
}

function failure(rqi: string, e: unknown): HandlerResponse {
  if (e instanceof M2MError) return { rsc: e.rsc, rqi, dbg: e.message };
  return { rsc: ResponseStatusCode.ESPRIM_DECRYPTION_ERROR, rqi, dbg: 'ESPrim processing failed' };
}

export function withESPrimTarget(handler: RequestHandler, o: ESPrimTargetOptions): RequestHandler {
  return async (raw, transport) => {
    const req = raw as Partial<RequestPrimitive>;
    const seci = req?.op === Operation.NOTIFY && typeof req.to === 'string' ? securityInfoOf(req.pc) : undefined;
    if (!seci || !o.isCseBase(req.to!)) return handler(raw, transport);
    const rqi = typeof req.rqi === 'string' ? req.rqi : '';
    const ok = (pc: unknown): HandlerResponse => ({
      rsc: ResponseStatusCode.OK,
      rqi,
      pc,
      ...(req.rvi ? { rvi: req.rvi } : {}),
    });
    try {
      if (seci.sit === SecurityInfoType.receiverESPrimRandObjectRequest) {
        return ok(
          securityInfoContent({
            sit: SecurityInfoType.receiverESPrimRandObjectResponse,
            ero: o.receiver.issueRandObject(),
          }),
        );
      }
      if (seci.sit !== SecurityInfoType.esprimObject) return handler(raw, transport);
      const { inner, session } = await o.receiver.unprotectRequest(seci.epo);
      verifyESPrimOriginator(inner, session.identity, o.cseId);
      o.onVerified?.(inner, session.identity);
      const rsp = await handler(inner, innerTransport(transport, session.identity, session.kid));
      const { location: _l, ...innerRsp } = rsp;
      const epo = o.receiver.protectResponse(session, innerRsp);
      return ok(securityInfoContent({ sit: SecurityInfoType.esprimObject, epo }));
    } catch (e) {
      return failure(rqi, e);
    }
  };
}
