// The Direct Dynamic Authorization exchange (TS-0003 7.3.2.2, TS-0001 11.5.2, TS-0004 7.5.1.2.10):
// the Hosting CSE sends a NOTIFY whose Content is m2m:securityInfo {sit: 1, dreq: m2m:dynAuthDasRequest}
// to the DAS; the DAS answers {sit: 2, dres: m2m:dynAuthDasResponse} (TS-0004 6.3.5.46-48).
import { isAbsRelTimestamp, M2msecError } from '@m2msec/protocol';
import { clip } from '../errors.js';
import type { SetOfAcrs } from '../types.js';

export const SecurityInfoType = { dynamicAuthorizationRequest: 1, dynamicAuthorizationResponse: 2 } as const;

/** m2m:dynAuthDasRequest, short names (TS-0004 Table 6.3.5.46-1, 8.2.3). */
export interface DasRequest {
  or: string; // originator
  trt?: number; // targetedResourceType
  op: number; // operation
  oip?: { ip4?: string; ip6?: string }; // originatorIP
  olo?: { accr?: number[]; accc?: string[] }; // originatorLocation (m2m:locationRegion)
  orid?: string[]; // originatorRoleIDs
  rts?: string; // requestTimestamp
  trid: string; // targetedResourceID
  ppl?: string; // proposedPrivilegesLifetime
  rfa?: string[]; // roleIDsFromACPs
  tids?: string[]; // tokenIDs
}

/** m2m:dynAuthDasResponse. */
export interface DasResponse {
  dai?: { gp?: SetOfAcrs; pl?: string | number }; // dynamicACPInfo: grantedPrivileges, privilegesLifetime
  tkns?: string[];
  asri?: boolean; // authorSignReqInfo
}

/** Content of the NOTIFY to the DAS. */
export function dasRequestContent(dreq: DasRequest): { 'm2m:seci': { sit: 1; dreq: DasRequest } } {
  return { 'm2m:seci': { sit: SecurityInfoType.dynamicAuthorizationRequest, dreq } };
}

/** A DAS answer that is no dynamic authorization response: no privileges (4103), code DAS_ANSWER_INVALID. */
export class DasAnswerError extends M2msecError {
  override readonly name = 'DasAnswerError';
  constructor(message: string) {
    super('DAS_ANSWER_INVALID', 4103, message);
  }
}

/**
 * The DAS answer from a NOTIFY response Content; throws DasAnswerError when it is not a dynamic
 * authorization response (TS-0004 7.5.1.2.10: then no privileges are granted). No Content at all
 * means the DAS granted nothing (TS-0001 11.5.2 step 3.2).
 */
export function parseDasResponse(pc: unknown): DasResponse {
  if (pc === undefined || pc === null) return {};
  const seci = (pc as Record<string, unknown>)['m2m:seci'];
  if (typeof seci !== 'object' || seci === null) throw new DasAnswerError('DAS answer has no m2m:seci');
  const { sit, dres } = seci as { sit?: unknown; dres?: unknown };
  if (sit !== SecurityInfoType.dynamicAuthorizationResponse)
    throw new DasAnswerError(`DAS answer has securityInfoType ${clip(sit)}, not 2 (Dynamic Authorization Response)`);
  if (dres === undefined) return {};
  if (typeof dres !== 'object' || dres === null || Array.isArray(dres))
    throw new DasAnswerError('DAS answer dres must be an m2m:dynAuthDasResponse object');
  const { dai, tkns, asri } = dres as Record<string, unknown>;
  const out: DasResponse = {};
  if (dai !== undefined) {
    if (typeof dai !== 'object' || dai === null || Array.isArray(dai))
      throw new DasAnswerError('DAS answer dai must be an object {gp?, pl?}');
    const { gp, pl } = dai as Record<string, unknown>;
    if (pl !== undefined && !isAbsRelTimestamp(pl))
      throw new DasAnswerError(`DAS answer privilegesLifetime (pl) '${clip(pl)}' is not an m2m:absRelTimestamp`);
    out.dai = {
      ...(gp !== undefined ? { gp: gp as SetOfAcrs } : {}),
      ...(pl !== undefined ? { pl: pl as string } : {}),
    };
  }
  if (tkns !== undefined) {
    if (!Array.isArray(tkns) || tkns.some((t) => typeof t !== 'string'))
      throw new DasAnswerError('DAS answer tkns must be a list of tokens');
    out.tkns = tkns as string[];
  }
  if (asri !== undefined) out.asri = asri === true;
  return out;
}

/** The DAS side: the request of a NOTIFY Content, or undefined when it is not a sit=1 request. */
export function parseDasRequest(pc: unknown): DasRequest | undefined {
  const seci = (pc as Record<string, unknown> | undefined)?.['m2m:seci'] as { sit?: unknown; dreq?: unknown };
  if (seci?.sit !== SecurityInfoType.dynamicAuthorizationRequest) return undefined;
  const d = seci.dreq as DasRequest | undefined;
  if (typeof d !== 'object' || d === null || typeof d.or !== 'string' || typeof d.op !== 'number') return undefined;
  return d;
}

/** The DAS side: Content of its answer. */
export function dasResponseContent(dres: DasResponse): { 'm2m:seci': { sit: 2; dres: DasResponse } } {
  return { 'm2m:seci': { sit: SecurityInfoType.dynamicAuthorizationResponse, dres } };
}
