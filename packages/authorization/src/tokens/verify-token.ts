// Validating a oneM2M JWT (TS-0003 7.3.2.5, 7.3.2.6.3): security validation (JWS signature of a
// trusted issuer, or a nested sign-then-encrypt JWE decrypted with this CSE's key), then content
// validation (issuer trusted, holder = Originator, notBefore <= now <= notAfter, this CSE in the
// audience when one is given), then the permissions compiled for the access decision.
import type { webcrypto } from 'node:crypto';
import { type IdContext, parseOriginator, parseTimestamp, toSpRelativeOriginator } from '@m2msec/protocol';
import {
  compactDecrypt,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type KeyObject,
} from 'jose';
import { checkSetOfAcrs } from '../compile.js';
import { AccessControlRuleError, clip } from '../errors.js';
import { compileSegments } from '../lib/segment-wildcard.js';
import type { CompiledRuleSet } from '../types.js';
import { fromJwtClaims, type TokenClaimSet } from './claims.js';
import { TokenError } from './token-error.js';

export type TokenKey = webcrypto.CryptoKey | KeyObject | JWK | Uint8Array;

/** A Token Issuer (DAS Server or Authorization Authority) this CSE accepts tokens from (TS-0003 7.3.2.6.3). */
export interface TrustedTokenIssuer {
  /** The issuer's ID as in iss (compared after normalisation, like originators). */
  id: string;
  /** Keys that verify its JWS signatures. */
  keys: readonly TokenKey[];
  /** JWS algorithms it is permitted to use, e.g. ['ES256']. */
  algorithms: readonly string[];
}

export interface TokenDecryption {
  /** This CSE's private / secret keys for JWE tokens. */
  keys: readonly TokenKey[];
  keyManagementAlgorithms: readonly string[];
  contentEncryptionAlgorithms?: readonly string[];
}

export interface TokenVerifierOptions {
  idContext: IdContext;
  issuers: readonly TrustedTokenIssuer[];
  decryption?: TokenDecryption;
}

/** One permission of a verified token, compiled (TS-0003 7.3.2.5 "Token permissions evaluation"). */
export interface CompiledTokenPermission {
  /** CSE-relative IDs of the resources it applies to (undefined: any resource, roles only). */
  resources?: ReadonlySet<string>;
  privileges?: CompiledRuleSet;
  roleIds: readonly string[];
}

export interface VerifiedToken {
  claims: TokenClaimSet;
  /** Normalised holder. */
  holder: string;
  /** Normalised issuer. */
  issuer: string;
  notAfter: Date;
  permissions: readonly CompiledTokenPermission[];
}

export interface VerifyTokenInput {
  /** The Originator, normalised (SP-relative in this SP). */
  holder: string;
  now: Date;
  /** When set, the issuer must be exactly this one (a token from a DAS answer, TS-0003 7.3.2.2 4.1.1.2.1). */
  issuer?: string;
}

/** IDs compare in their normalised (SP-relative) form, so '//sp/id-in/Cx', '/id-in/Cx' and 'Cx' agree. */
export function normaliseId(id: string, ctx: IdContext): string {
  try {
    return toSpRelativeOriginator(parseOriginator(id), ctx);
  } catch {
    return id;
  }
}

/** A resource ID in this CSE's CSE-relative form (structured or unstructured); others unchanged. */
export function localResourceId(id: string, ctx: IdContext): string {
  const sp = `//${ctx.spId}${ctx.cseId}/`;
  if (id.startsWith(sp)) return id.slice(sp.length);
  if (id.startsWith(`${ctx.cseId}/`)) return id.slice(ctx.cseId.length + 1);
  return id;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class TokenVerifier {
  private readonly issuers = new Map<string, TrustedTokenIssuer>();
  private readonly ctx: IdContext;
  private readonly cseSegments: string[];

  constructor(private readonly opts: TokenVerifierOptions) {
    this.ctx = opts.idContext;
    for (const i of opts.issuers) this.issuers.set(normaliseId(i.id, this.ctx), i);
    this.cseSegments = [this.ctx.spId, this.ctx.cseId.slice(1)];
  }

  /** Verifies a token (m2m:dynAuthJWT); rejects with TokenError saying which check failed. */
  async verify(token: string, input: VerifyTokenInput): Promise<VerifiedToken> {
    if (typeof token !== 'string') throw new TokenError('malformed', 'token is not a string');
    let jws: string;
    if (COMPACT_JWE.test(token)) jws = await this.decrypt(token);
    else if (COMPACT_JWS.test(token)) jws = token;
    else throw new TokenError('malformed', 'token is not a JWS or JWE compact serialisation');
    const payload = await this.verifySignature(jws, input);
    const claims = fromJwtClaims(payload);
    return this.checkContent(claims, input);
  }

  private async decrypt(jwe: string): Promise<string> {
    const d = this.opts.decryption;
    if (!d) throw new TokenError('unsupported', 'encrypted tokens are not accepted: no decryption key is configured');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(jwe);
    } catch {
      throw new TokenError('malformed', 'JWE protected header is not valid JSON');
    }
    // TS-0003 7.3.2.6.2: a nested JWT says cty "JWT". An encryption-only token proves no issuer
    // unless the key is shared with it, so this CSE accepts only sign-then-encrypt.
    if (header.typ !== 'JWT' || header.cty !== 'JWT')
      throw new TokenError(
        'unsupported',
        'a JWE token must be a nested JWT (typ and cty "JWT", signed then encrypted)',
      );
    for (const key of d.keys) {
      try {
        const { plaintext } = await compactDecrypt(jwe, key as never, {
          keyManagementAlgorithms: [...d.keyManagementAlgorithms],
          contentEncryptionAlgorithms: d.contentEncryptionAlgorithms ? [...d.contentEncryptionAlgorithms] : undefined,
        });
        const inner = new TextDecoder().decode(plaintext);
        if (!COMPACT_JWS.test(inner)) throw new TokenError('malformed', 'the JWE does not contain a JWS compact JWT');
        return inner;
      } catch (e) {
        if (e instanceof TokenError) throw e;
        if (e instanceof errors.JOSEAlgNotAllowed)
          throw new TokenError(
            'unsupported',
            `JWE algorithm '${clip(header.alg)}/${clip(header.enc)}' is not permitted`,
          );
      }
    }
    throw new TokenError(
      'bad-signature',
      'the JWE token cannot be decrypted with this CSE key (tampered or not for this CSE)',
    );
  }

  private async verifySignature(jws: string, input: VerifyTokenInput): Promise<JWTPayload> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(jws);
      unverified = decodeJwt(jws);
    } catch {
      throw new TokenError('malformed', 'token header or claims are not valid base64url JSON');
    }
    if (header.alg === 'none') throw new TokenError('unsupported', 'unsecured JWTs (alg "none") are not accepted');
    if (header.typ !== 'JWT') throw new TokenError('malformed', 'token header typ must be "JWT" (TS-0003 7.3.2.6.2)');
    if (header.cty !== undefined) throw new TokenError('malformed', 'a JWS token header must not carry cty');
    if (typeof unverified.iss !== 'string') throw new TokenError('bad-claims', 'issuer (iss) is missing');
    const issuerId = normaliseId(unverified.iss, this.ctx);
    if (input.issuer !== undefined && issuerId !== normaliseId(input.issuer, this.ctx))
      throw new TokenError('untrusted-issuer', `issuer '${clip(unverified.iss)}' is not the DAS that answered`);
    const issuer = this.issuers.get(issuerId);
    if (!issuer)
      throw new TokenError('untrusted-issuer', `issuer '${clip(unverified.iss)}' is not a trusted token issuer`);
    if (typeof header.alg !== 'string' || !issuer.algorithms.includes(header.alg))
      throw new TokenError(
        'unsupported',
        `algorithm '${clip(header.alg)}' is not permitted for issuer '${clip(issuer.id)}'`,
      );
    let lastError: unknown;
    for (const key of issuer.keys) {
      try {
        const { payload } = await jwtVerify(jws, key as never, {
          algorithms: [...issuer.algorithms],
          typ: 'JWT',
          currentDate: input.now,
          requiredClaims: ['jti', 'iss', 'azp', 'nbf', 'exp'],
        });
        return payload;
      } catch (e) {
        if (e instanceof errors.JWTExpired)
          throw new TokenError('expired', 'token has expired (notAfter / exp is past)');
        if (e instanceof errors.JWTClaimValidationFailed) {
          if (e.claim === 'nbf') throw new TokenError('not-yet-valid', 'token is not valid yet (notBefore / nbf)');
          throw new TokenError('bad-claims', `claim '${clip(e.claim)}' is missing or invalid`);
        }
        lastError = e;
      }
    }
    if (lastError instanceof errors.JWSSignatureVerificationFailed || lastError instanceof errors.JWSInvalid)
      throw new TokenError('bad-signature', `token signature does not verify with the keys of '${clip(issuer.id)}'`);
    throw new TokenError('malformed', 'token is not a valid JWT');
  }

  private checkContent(claims: TokenClaimSet, input: VerifyTokenInput): VerifiedToken {
    const holder = normaliseId(claims.tkhd, this.ctx);
    if (holder !== input.holder)
      throw new TokenError(
        'wrong-holder',
        `token holder '${clip(claims.tkhd)}' is not the originator '${clip(input.holder)}'`,
      );
    if (claims.tkau !== undefined && claims.tkau.length > 0 && !claims.tkau.some((a) => this.isThisCse(a)))
      throw new TokenError('wrong-audience', `this CSE '${this.ctx.cseId}' is not in the token audience`);
    const permissions = (claims.tkps?.pm ?? []).map((p, i): CompiledTokenPermission => {
      let privileges: CompiledRuleSet | undefined;
      if (p.pv !== undefined) {
        try {
          privileges = checkSetOfAcrs(p.pv, this.ctx, `tkps.pm[${i}].pv`);
        } catch (e) {
          if (e instanceof AccessControlRuleError) throw new TokenError('bad-claims', e.message);
          throw e;
        }
      }
      return {
        resources: p.ris ? new Set(p.ris.map((r) => localResourceId(r, this.ctx))) : undefined,
        privileges,
        roleIds: p.rids ?? [],
      };
    });
    return {
      claims,
      holder,
      issuer: normaliseId(claims.tkis, this.ctx),
      notAfter: parseTimestamp(claims.tkna),
      permissions,
    };
  }

  /** An audience entry names this CSE: its CSE-ID in any form, absolute entries with '*' wildcards. */
  private isThisCse(aud: string): boolean {
    if (aud.includes('*')) {
      if (!aud.startsWith('//')) return false;
      return compileSegments(aud.slice(2).split('/'))(this.cseSegments);
    }
    return normaliseId(aud, this.ctx) === this.ctx.cseId;
  }
}

/**
 * The parts of verified tokens that apply to a resource (TS-0003 7.3.2.5): privileges to evaluate like
 * ACP rules, and Role-IDs to add to the originator's roles. `resourceIds` are the resource's local IDs
 * (resourceID and structured name).
 */
export function tokenGrants(
  tokens: readonly VerifiedToken[],
  resourceIds: readonly string[],
): { privileges: CompiledRuleSet[]; roleIds: string[] } {
  const privileges: CompiledRuleSet[] = [];
  const roleIds: string[] = [];
  for (const t of tokens) {
    for (const p of t.permissions) {
      if (p.resources !== undefined && !resourceIds.some((id) => p.resources!.has(id))) continue;
      if (p.privileges) privileges.push(p.privileges);
      roleIds.push(...p.roleIds);
    }
  }
  return { privileges, roleIds };
}
