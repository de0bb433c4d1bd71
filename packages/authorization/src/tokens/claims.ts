// m2m:tokenClaimSet (TS-0004 6.3.5.42) and its oneM2M JWT mapping (TS-0003 Table 7.3.2.6.2-1):
// tkid->jti, tkis->iss, tkhd->azp, tknb->nbf, tkna->exp (m2m:timestamp <-> NumericDate), tkau->aud;
// tkvr, tknm, tkps, tkex keep their short names as claim names.
import { formatTimestamp, isTimestamp, parseTimestamp } from '@m2msec/protocol';
import type { JWTPayload } from 'jose';
import { clip } from '../errors.js';
import type { SetOfAcrs } from '../types.js';
import { TokenError } from './token-error.js';

/** m2m:tokenPermission (TS-0004 6.3.5.41; TS-0001 Table 9.6.39-3). */
export interface TokenPermission {
  ris?: string[]; // resourceIDs
  pv?: SetOfAcrs; // privileges
  rids?: string[]; // roleIDs
}

export interface TokenClaimSet {
  tkvr: string; // version
  tkid: string; // tokenID (name@fqdn)
  tkhd: string; // holder
  tkis: string; // issuer
  tknb: string; // notBefore (m2m:timestamp)
  tkna: string; // notAfter (m2m:timestamp)
  tknm?: string; // tokenName
  tkau?: string[]; // audience
  tkps?: { pm: TokenPermission[] }; // permissions
  tkex?: string; // extension
}

const TOKEN_ID = /^[A-Za-z0-9._-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/** Whether a string is an m2m:tokenID (TS-0004 Table 6.3.3-1: issuerRelativeID@issuer-fqdn). */
export function isTokenId(s: unknown): s is string {
  return typeof s === 'string' && TOKEN_ID.test(s);
}

const toNumericDate = (ts: string, what: string): number => {
  if (!isTimestamp(ts)) throw new TokenError('bad-claims', `${what} '${clip(ts)}' is not an m2m:timestamp`);
  return Math.floor(parseTimestamp(ts).getTime() / 1000);
};

/** The JWT claims of a claim set (what a token issuer signs). */
export function toJwtClaims(cs: TokenClaimSet): JWTPayload {
  const p: JWTPayload = {
    tkvr: cs.tkvr,
    jti: cs.tkid,
    iss: cs.tkis,
    azp: cs.tkhd,
    nbf: toNumericDate(cs.tknb, 'notBefore (tknb)'),
    exp: toNumericDate(cs.tkna, 'notAfter (tkna)'),
  };
  if (cs.tknm !== undefined) p.tknm = cs.tknm;
  if (cs.tkau !== undefined) p.aud = cs.tkau;
  if (cs.tkps !== undefined) p.tkps = cs.tkps;
  if (cs.tkex !== undefined) p.tkex = cs.tkex;
  return p;
}

function permissions(v: unknown): { pm: TokenPermission[] } {
  const bad = (why: string): never => {
    throw new TokenError('bad-claims', `permissions (tkps) ${why}`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('must be an object {pm: [...]}');
  const pm = (v as { pm?: unknown }).pm;
  if (!Array.isArray(pm)) bad('must contain a list pm');
  (pm as unknown[]).forEach((p, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) bad(`pm[${i}] must be an object`);
    const { ris, pv, rids, ...rest } = p as Record<string, unknown>;
    if (Object.keys(rest).length > 0) bad(`pm[${i}] has unknown element '${clip(Object.keys(rest)[0])}'`);
    const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string' && s !== '');
    if (ris !== undefined && !strings(ris)) bad(`pm[${i}].ris must be a list of resource IDs`);
    if (rids !== undefined && !strings(rids)) bad(`pm[${i}].rids must be a list of Role-IDs`);
    // TS-0001 Table 9.6.39-3: privileges need resourceIDs; a permission grants privileges or roles.
    if (pv !== undefined && ris === undefined) bad(`pm[${i}] has privileges (pv) without resourceIDs (ris)`);
    if (pv === undefined && rids === undefined) bad(`pm[${i}] has neither privileges (pv) nor roleIDs (rids)`);
  });
  return v as { pm: TokenPermission[] };
}

/** The claim set of verified JWT claims (TS-0003 7.3.2.6.3 "reversing the mapping"); every element checked. */
export function fromJwtClaims(p: JWTPayload): TokenClaimSet {
  const bad = (why: string): never => {
    throw new TokenError('bad-claims', why);
  };
  if (typeof p.tkvr !== 'string' || p.tkvr === '') bad('version (tkvr) is missing');
  if (!isTokenId(p.jti)) bad('tokenID (jti) is missing or not name@fqdn');
  if (typeof p.iss !== 'string' || p.iss === '') bad('issuer (iss) is missing');
  if (typeof p.azp !== 'string' || p.azp === '') bad('holder (azp) is missing');
  if (typeof p.nbf !== 'number' || !Number.isFinite(p.nbf)) bad('notBefore (nbf) is missing');
  if (typeof p.exp !== 'number' || !Number.isFinite(p.exp)) bad('notAfter (exp) is missing');
  const cs: TokenClaimSet = {
    tkvr: p.tkvr as string,
    tkid: p.jti as string,
    tkis: p.iss as string,
    tkhd: p.azp as string,
    tknb: formatTimestamp(new Date((p.nbf as number) * 1000)),
    tkna: formatTimestamp(new Date((p.exp as number) * 1000)),
  };
  if (p.tknm !== undefined) {
    if (typeof p.tknm !== 'string') bad('tokenName (tknm) must be a string');
    cs.tknm = p.tknm as string;
  }
  if (p.aud !== undefined) {
    const aud = typeof p.aud === 'string' ? [p.aud] : p.aud;
    if (!Array.isArray(aud) || aud.some((a) => typeof a !== 'string' || a === ''))
      bad('audience (aud) must be a list of IDs');
    cs.tkau = aud as string[];
  }
  if (p.tkps !== undefined) cs.tkps = permissions(p.tkps);
  if (p.tkex !== undefined) {
    if (typeof p.tkex !== 'string') bad('extension (tkex) must be a string');
    cs.tkex = p.tkex as string;
  }
  return cs;
}

/**
 * The tokenID (jti) a JWS compact token claims, read without verifying it (a Token Repository's
 * consistency check); undefined for a JWE or anything that is not a JWT.
 */
export function unverifiedTokenId(compact: string): string | undefined {
  const parts = compact.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const jti = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { jti?: unknown }).jti;
    return typeof jti === 'string' ? jti : undefined;
  } catch {
    return undefined;
  }
}
