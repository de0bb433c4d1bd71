// ESData credentials (TS-0003 8.5.2.2 / 8.5.2.3): a provisioned symmetric key (pre-provisioned, RSPF, MAF,
// ESCertKE) or a public / private key pair of an end-point certificate, each with the identifier the JOSE
// "kid" carries (the Provisioned Symmetric ESData Key Identifier, the MAF key identifier of TS-0003 10.3.5,
// or for certificates the Credential-ID of TS-0003 10.4, e.g. '51-<AE-ID>').
import type { KeyObject } from 'node:crypto';
import { EsdataError } from './lib/errors.js';

export interface EsdataKey {
  readonly kid: string;
  /** Raw bytes of a symmetric key, or a node:crypto KeyObject (public to verify / encrypt, private to sign / decrypt). */
  readonly key: Uint8Array | KeyObject;
}

/** Finds the credential for a "kid" the Target trusts (D.2 / D.3 of 8.5.2.2.1, C.2.i of 8.5.2.3.1). */
export type EsdataKeyResolver = (
  kid: string,
  alg: string,
) => EsdataKey['key'] | undefined | Promise<EsdataKey['key'] | undefined>;

export function keyResolver(keys: readonly EsdataKey[]): EsdataKeyResolver {
  const map = new Map(keys.map((k) => [k.kid, k.key]));
  return (kid) => map.get(kid);
}

export async function resolveKey(resolve: EsdataKeyResolver, kid: unknown, alg: string): Promise<EsdataKey['key']> {
  if (typeof kid !== 'string' || kid.length === 0)
    throw new EsdataError('ERR_ESDATA_UNKNOWN_KID', 'the JOSE header has no "kid"');
  const k = await resolve(kid, alg);
  if (!k)
    throw new EsdataError('ERR_ESDATA_UNKNOWN_KID', `no trusted ESData credential with kid '${kid.slice(0, 128)}'`);
  return k;
}
