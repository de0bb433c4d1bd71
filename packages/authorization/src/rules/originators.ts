// accessControlOriginators (TS-0003 7.1.3, TS-0004 7.3.3.15 Table 7.3.3.15-1): 'all', SP domains
// (M2M-SP-ID '//fqdn'), CSE-IDs and AE-IDs in absolute, SP-relative and CSE-relative forms (normalised
// to this CSE's SP-relative form before matching), '*' wildcards in domain / CSE-ID / AE-ID entries with
// a scope that ends at the next '/', <group> resource IDs (membership resolved by the caller) and
// Role-IDs (issuerRelativeID@issuer-fqdn, TS-0004 6.3.3 m2m:roleID).
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import { AccessControlRuleError, clip } from '../errors.js';
import { compileSegments } from '../lib/segment-wildcard.js';
import type { AccessRequest } from '../types.js';

export type AcorEntry =
  | { kind: 'all' }
  | { kind: 'role'; roleId: string }
  | { kind: 'domain'; pattern: string }
  | { kind: 'id'; spRelative: string }
  | { kind: 'id-wildcard'; segments: string[] }
  | { kind: 'group'; id: string };

const ROLE_ID = /^[A-Za-z0-9._-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const SEGMENT = /^[A-Za-z0-9\-._~*]+$/;

/** Whether a string is an m2m:roleID (TS-0004 Table 6.3.3-1). */
export function isRoleId(s: string): boolean {
  return ROLE_ID.test(s);
}

/** Classifies one acor entry in this CSE's context; throws AccessControlRuleError when it is none of the forms. */
export function classifyAcorEntry(entry: unknown, ctx: IdContext, path = 'acor'): AcorEntry {
  const fail = (why: string): never => {
    throw new AccessControlRuleError(path, `'${clip(entry)}' ${why}`);
  };
  if (typeof entry !== 'string' || entry === '') return fail('must be a non-empty string');
  if (entry === 'all') return { kind: 'all' };
  if (entry.includes('@')) {
    if (!ROLE_ID.test(entry)) fail('is not a Role-ID (issuerRelativeID@issuer-fqdn, FQDN in lower case)');
    return { kind: 'role', roleId: entry };
  }
  const wildcard = entry.includes('*');
  let segments: string[];
  if (entry.startsWith('//')) {
    segments = entry.slice(2).split('/');
    if (segments.length === 1) {
      if (!SEGMENT.test(segments[0]!)) fail('is not an M2M-SP-ID (//fqdn)');
      return { kind: 'domain', pattern: segments[0]! };
    }
  } else if (entry.startsWith('/')) {
    segments = [ctx.spId, ...entry.slice(1).split('/')];
  } else {
    segments = entry.split('/');
    // A CSE-relative originator is an AE-ID-Stem of an AE registered here (C-type) or an S-type stem.
    if (segments.length === 1 && (entry.startsWith('C') || entry.startsWith('S'))) {
      segments = entry.startsWith('C') ? [ctx.spId, ctx.cseId.slice(1), entry] : [ctx.spId, entry];
    } else if (wildcard) {
      fail("has a wildcard but is not a CSE-ID or AE-ID ('*' is not allowed in group IDs, TS-0004 Table 7.3.3.15-1)");
    } else {
      segments = [];
    }
  }
  for (const s of segments.length > 0 ? segments : entry.split('/')) {
    if (!SEGMENT.test(s)) fail(`has an empty segment or characters outside RFC 3986 unreserved in '${clip(s)}'`);
  }
  if (wildcard) {
    if (segments.length > 3 || segments.length < 2)
      fail("has a wildcard but is not a CSE-ID or AE-ID form ('//sp/cse', '//sp/cse/Cae', '//sp/Sae')");
    return { kind: 'id-wildcard', segments };
  }
  if (segments.length > 0) {
    const raw = `//${segments.join('/')}`;
    try {
      const o = parseOriginator(raw);
      if (o.kind !== 'other') return { kind: 'id', spRelative: toSpRelativeOriginator(o, ctx) };
    } catch {
      /* not a CSE-ID / AE-ID: a resource ID */
    }
  }
  // Anything else names a resource: a <group> whose members are granted (checked when evaluated).
  return { kind: 'group', id: entry };
}

/** The absolute segments [sp, ...] of a normalised originator; undefined for forms without a domain. */
export function originatorSegments(originator: string, ctx: IdContext): string[] | undefined {
  if (originator.startsWith('//')) return originator.slice(2).split('/');
  if (originator.startsWith('/')) return [ctx.spId, ...originator.slice(1).split('/')];
  return undefined;
}

export interface CompiledOriginators {
  matches(req: AccessRequest): boolean;
  groupCandidates: string[];
  roleIds: string[];
}

const NONE: CompiledOriginators = { matches: () => false, groupCandidates: [], roleIds: [] };

/**
 * Compiles acor. Entries that are none of the forms never match (the ACP resource refuses them on
 * create and update; a stored one must not widen access).
 */
export function compileOriginators(acor: readonly unknown[], ctx: IdContext): CompiledOriginators {
  const entries: AcorEntry[] = [];
  for (const e of acor) {
    try {
      entries.push(classifyAcorEntry(e, ctx));
    } catch {
      /* fails closed */
    }
  }
  if (entries.some((e) => e.kind === 'all')) return { matches: () => true, groupCandidates: [], roleIds: [] };
  if (entries.length === 0) return NONE;
  const exact = new Set<string>();
  const patterns: Array<(segments: readonly string[]) => boolean> = [];
  const roles = new Set<string>();
  const groups: string[] = [];
  for (const e of entries) {
    if (e.kind === 'id') exact.add(e.spRelative);
    else if (e.kind === 'role') roles.add(e.roleId);
    else if (e.kind === 'group') groups.push(e.id);
    else if (e.kind === 'domain') {
      const m = compileSegments([e.pattern]);
      patterns.push((s) => m([s[0]!]));
    } else if (e.kind === 'id-wildcard') patterns.push(compileSegments(e.segments));
  }
  const checks: Array<(req: AccessRequest) => boolean> = [];
  if (exact.size === 1) {
    const [only] = exact;
    checks.push((r) => r.originator === only);
  } else if (exact.size > 1) checks.push((r) => exact.has(r.originator));
  if (patterns.length > 0) {
    checks.push((r) => {
      const s = originatorSegments(r.originator, ctx);
      if (s === undefined) return false;
      for (const p of patterns) if (p(s)) return true;
      return false;
    });
  }
  if (roles.size > 0) {
    checks.push((r) => {
      if (r.roles === undefined) return false;
      for (const role of r.roles) if (roles.has(role)) return true;
      return false;
    });
  }
  if (groups.length > 0) {
    checks.push((r) => {
      if (r.groups === undefined) return false;
      for (const g of groups) if (r.groups.has(g)) return true;
      return false;
    });
  }
  const out = { groupCandidates: groups, roleIds: [...roles] };
  if (checks.length === 1) return { matches: checks[0]!, ...out };
  return {
    matches: (r) => {
      for (let i = 0; i < checks.length; i++) if (checks[i]!(r)) return true;
      return false;
    },
    ...out,
  };
}
