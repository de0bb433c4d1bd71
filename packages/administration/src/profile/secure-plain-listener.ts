// The plain (unprotected) listener of a CSE in the secure profile (docs/administration.md): it tells
// a client where it is and nothing else. RETRIEVE of the <CSEBase> gets the CSE's public facts
// (resourceName, CSE-ID, cseType, supported releases, points of access) — what a health check or a
// discovering AE needs; every other request, registration included, is refused with
// 4107 SECURITY_ASSOCIATION_REQUIRED (TS-0003 6.1.2.2.1: Mca and Mcc require an association here).
// The request never reaches the CSE, so no From on this listener is anybody.
import {
  type IdContext,
  isLocalTarget,
  M2MError,
  Operation,
  parseTarget,
  type RequestHandler,
  ResponseStatusCode,
} from '@m2msec/protocol';

export interface CseBaseSummary {
  /** resourceName of the <CSEBase>. */
  rn: string;
  /** cseType (1 IN-CSE, 2 MN-CSE, 3 ASN-CSE). */
  cst: number;
  srv: readonly string[];
  /** Points of access: the TLS listeners to use. */
  poa: readonly string[];
}

function isCseBase(to: string, cseBaseName: string, ctx: IdContext): boolean {
  let t: ReturnType<typeof parseTarget>;
  try {
    t = parseTarget(to);
  } catch {
    return false;
  }
  if (!isLocalTarget(t, ctx)) return false;
  if (t.scope === 'cse-relative') return t.path === cseBaseName || t.path === '-' || t.path === ctx.cseId.slice(1);
  return t.path === '' || t.path === cseBaseName;
}

export function securePlainListener(o: { idContext: IdContext; cseBase: CseBaseSummary }): RequestHandler {
  const { idContext, cseBase } = o;
  return async (req) => {
    const rqi = typeof req?.rqi === 'string' ? req.rqi : '';
    if (req?.op === Operation.RETRIEVE && typeof req.to === 'string' && isCseBase(req.to, cseBase.rn, idContext)) {
      return {
        rsc: ResponseStatusCode.OK,
        rqi,
        rvi: req.rvi,
        pc: {
          'm2m:cb': {
            rn: cseBase.rn,
            ri: idContext.cseId.slice(1),
            ty: 5,
            csi: idContext.cseId,
            cst: cseBase.cst,
            srv: [...cseBase.srv],
            poa: [...cseBase.poa],
          },
        },
      };
    }
    const e = new M2MError(
      ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED,
      'this plain listener answers only RETRIEVE of the CSEBase (secure profile): use a TLS listener with a credential',
    );
    return { rsc: e.rsc, rqi, dbg: e.message };
  };
}
