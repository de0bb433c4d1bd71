// Creating a oneM2M JWT (TS-0003 7.3.2.6.3, issuer side): claim set -> JWT claims (Table 7.3.2.6.2-1),
// signed as a JWS (typ "JWT", no cty), optionally then encrypted to the Hosting CSE as a nested JWT
// (JWE typ and cty "JWT"). Used by the reference DAS and by tests.
import { CompactEncrypt, SignJWT } from 'jose';
import { type TokenClaimSet, toJwtClaims } from './claims.js';
import type { TokenKey } from './verify-token.js';

export interface IssueTokenOptions {
  signingKey: TokenKey;
  /** JWS algorithm, e.g. 'ES256'. */
  alg: string;
  kid?: string;
  /** Sign-then-encrypt to the Hosting CSE's key. */
  encryptTo?: { key: TokenKey; alg: string; enc: string; kid?: string };
}

export async function issueToken(claims: TokenClaimSet, o: IssueTokenOptions): Promise<string> {
  const jws = await new SignJWT(toJwtClaims(claims))
    .setProtectedHeader({ alg: o.alg, typ: 'JWT', ...(o.kid ? { kid: o.kid } : {}) })
    .sign(o.signingKey as never);
  if (!o.encryptTo) return jws;
  const e = o.encryptTo;
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: e.alg, enc: e.enc, typ: 'JWT', cty: 'JWT', ...(e.kid ? { kid: e.kid } : {}) })
    .encrypt(e.key as never);
}
