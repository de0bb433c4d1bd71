// Signature-Only ESData (TS-0003 8.5.2.3, 8.5.3.3): JWS in compact or general JSON serialization, one
// signature per credential (B.2 lets a Source use several).
import { CompactSign, GeneralSign } from 'jose';
import { type EsdataJwsAlg, isJwsAlg } from '../algorithms.js';
import type { EsdataKey } from '../keys.js';
import { checkKey } from '../lib/check-key.js';
import { EsdataError } from '../lib/errors.js';

export interface JwsSigner extends EsdataKey {
  readonly alg: EsdataJwsAlg;
}

const bytes = (p: Uint8Array | string) => (typeof p === 'string' ? new TextEncoder().encode(p) : p);

function check(s: JwsSigner): void {
  if (!isJwsAlg(s.alg))
    throw new EsdataError(
      'ERR_ESDATA_ALGORITHM',
      `JWS "alg" ${String(s.alg)} is not allowed for ESData (TS-0003 Table 8.5.3.3-2)`,
    );
  checkKey(s.alg, s.key);
}

export async function signCompact(payload: Uint8Array | string, signer: JwsSigner, cty?: string): Promise<string> {
  check(signer);
  return new CompactSign(bytes(payload))
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, ...(cty ? { cty } : {}) })
    .sign(signer.key);
}

export async function signJson(payload: Uint8Array | string, signers: readonly JwsSigner[]): Promise<object> {
  if (signers.length === 0) throw new EsdataError('ERR_ESDATA_KEY', 'a JWS needs at least one credential');
  const g = new GeneralSign(bytes(payload));
  for (const s of signers) {
    check(s);
    g.addSignature(s.key).setProtectedHeader({ alg: s.alg, kid: s.kid });
  }
  return g.sign();
}
