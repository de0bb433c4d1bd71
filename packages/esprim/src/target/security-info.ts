// m2m:securityInfo (TS-0004 6.3.5.48, short name seci) as the Content of the outer NOTIFY that carries
// ESPrim (TS-0004 7.5.1.2.11 / 7.5.1.2.13): sit 3 asks for a receiverESPrimRandObject, sit 4 answers
// with it (ero), sit 5 carries an ESPrim Object (epo).
import type { ReceiverESPrimRandObject } from '../session/rand-object.js';

export const SecurityInfoType = {
  dynamicAuthorizationRequest: 1,
  dynamicAuthorizationResponse: 2,
  receiverESPrimRandObjectRequest: 3,
  receiverESPrimRandObjectResponse: 4,
  esprimObject: 5,
  escertkeMessage: 6,
} as const;

export interface SecurityInfo {
  sit: number;
  ero?: ReceiverESPrimRandObject;
  epo?: string;
  eckm?: string;
}

export const securityInfoContent = (seci: SecurityInfo) => ({ 'm2m:seci': seci });

/** The m2m:seci of a primitive's Content, or undefined when the Content is something else. */
export function securityInfoOf(pc: unknown): SecurityInfo | undefined {
  if (typeof pc !== 'object' || pc === null) return undefined;
  const s = (pc as Record<string, unknown>)['m2m:seci'];
  if (typeof s !== 'object' || s === null || typeof (s as SecurityInfo).sit !== 'number') return undefined;
  return s as SecurityInfo;
}
