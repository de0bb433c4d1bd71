// Target End-Point verification of Signature-Only ESData (TS-0003 8.5.2.3.1 C): only the algorithms of
// Table 8.5.3.3-2, the credential found by "kid", and the credential(s) used are reported (C.3).
import { compactVerify, generalVerify } from 'jose';
import { ESDATA_JWS_ALGS, type EsdataJwsAlg, isJwsAlg } from '../algorithms.js';
import { type EsdataKeyResolver, resolveKey } from '../keys.js';
import { checkKey } from '../lib/check-key.js';
import { EsdataError } from '../lib/errors.js';
import { fromJoseError } from '../lib/jose-errors.js';

export interface VerifiedJws {
  readonly payload: Uint8Array;
  readonly kid: string;
  readonly alg: EsdataJwsAlg;
  readonly cty?: string;
}

export interface VerifyOptions {
  /** Narrower allowlist (e.g. the nested class allows RSA / ECDSA only). Default: all of Table 8.5.3.3-2. */
  algorithms?: readonly EsdataJwsAlg[];
}

function getKey(resolve: EsdataKeyResolver, allowed: readonly string[]) {
  return async (h: { alg?: string; kid?: string }) => {
    if (!isJwsAlg(h.alg) || !allowed.includes(h.alg))
      throw new EsdataError(
        'ERR_ESDATA_ALGORITHM',
        `JWS "alg" ${String(h.alg)} is not allowed here (TS-0003 Table 8.5.3.3-2)`,
      );
    const key = await resolveKey(resolve, h.kid, h.alg);
    checkKey(h.alg, key);
    return key;
  };
}

export async function verifyCompact(
  jws: unknown,
  resolve: EsdataKeyResolver,
  o: VerifyOptions = {},
): Promise<VerifiedJws> {
  if (typeof jws !== 'string' || jws.split('.').length !== 3)
    throw new EsdataError('ERR_ESDATA_FORMAT', 'not a JWS compact serialization');
  const allowed = o.algorithms ?? ESDATA_JWS_ALGS;
  try {
    const r = await compactVerify(jws, getKey(resolve, allowed), { algorithms: [...allowed] });
    const h = r.protectedHeader;
    return { payload: r.payload, kid: h.kid!, alg: h.alg as EsdataJwsAlg, ...(h.cty ? { cty: h.cty } : {}) };
  } catch (e) {
    throw fromJoseError(e, 'signature');
  }
}

export async function verifyJson(
  jws: unknown,
  resolve: EsdataKeyResolver,
  o: VerifyOptions = {},
): Promise<VerifiedJws> {
  if (typeof jws !== 'object' || jws === null || !Array.isArray((jws as { signatures?: unknown }).signatures))
    throw new EsdataError('ERR_ESDATA_FORMAT', 'not a JWS general JSON serialization');
  const allowed = o.algorithms ?? ESDATA_JWS_ALGS;
  try {
    const r = await generalVerify(jws as never, getKey(resolve, allowed), { algorithms: [...allowed] });
    const h = r.protectedHeader!;
    return { payload: r.payload, kid: h.kid!, alg: h.alg as EsdataJwsAlg };
  } catch (e) {
    throw fromJoseError(e, 'signature');
  }
}
