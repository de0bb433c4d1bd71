// Identifier formats of TS-0001 clause 7.2 (Table 7.2-1): M2M-SP-ID, CSE-ID, AE-ID and resource IDs
// in CSE-relative, SP-relative and absolute form.
import { M2MError } from './error.js';
import { ResponseStatusCode } from './status.js';

export type IdScope = 'cse-relative' | 'sp-relative' | 'absolute';

/** A request target (To) split into its scope parts. `path` is CSE-relative (structured or unstructured). */
export interface Target {
  scope: IdScope;
  /** M2M-SP-ID without the leading '//' (absolute form only). */
  spId?: string;
  /** SP-relative CSE-ID with its leading '/', e.g. '/id-in' (SP-relative and absolute forms). */
  cseId?: string;
  /** CSE-relative remainder, never starting with '/'; empty when the CSE itself is addressed by its CSE-ID. */
  path: string;
}

// RFC 3986 unreserved characters, the alphabet of every ID segment (Table 7.2-1).
const SEGMENT = /^[A-Za-z0-9\-._~]+$/;

function bad(what: string, value: string, why: string): never {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${what} '${clip(value)}' is malformed: ${why}`);
}

// Bounded echo: an ID can be arbitrarily long untrusted input.
function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}

function checkSegments(what: string, value: string, segments: string[]): void {
  for (const s of segments) {
    if (s === '') bad(what, value, 'empty path segment');
    // RFC 3986 5.2.4 removes dot segments, so a URI-normalising hop would address another resource.
    if (s === '.' || s === '..') bad(what, value, `dot segment '${s}' is not allowed`);
    if (!SEGMENT.test(s)) bad(what, value, `segment '${clip(s)}' has characters outside RFC 3986 unreserved`);
  }
}

/** Parses a resource identifier used as To (TS-0001 Table 7.2-1 resource identifier rows). */
export function parseTarget(to: string, what = 'to'): Target {
  if (typeof to !== 'string' || to.length === 0) bad(what, String(to), 'missing');
  if (to.startsWith('//')) {
    const parts = to.slice(2).split('/');
    if (parts.length < 2) bad(what, to, 'absolute form needs //{SP-ID}/{CSE-ID}');
    checkSegments(what, to, parts);
    return { scope: 'absolute', spId: parts[0], cseId: `/${parts[1]}`, path: parts.slice(2).join('/') };
  }
  if (to.startsWith('/')) {
    const parts = to.slice(1).split('/');
    checkSegments(what, to, parts);
    return { scope: 'sp-relative', cseId: `/${parts[0]}`, path: parts.slice(1).join('/') };
  }
  const parts = to.split('/');
  checkSegments(what, to, parts);
  return { scope: 'cse-relative', path: to };
}

export type OriginatorKind = 'cse' | 'ae-c' | 'ae-s' | 'other';

/** An originator ID (From) classified per TS-0001 Table 7.2-1. */
export interface Originator {
  kind: OriginatorKind;
  scope: IdScope;
  spId?: string;
  /** For a CSE: its SP-relative CSE-ID; for a C-type AE in SP-relative/absolute form: its registrar's CSE-ID. */
  cseId?: string;
  /** AE-ID-Stem for AEs (starts with 'C' or 'S'). */
  stem?: string;
  /** The ID as given. */
  raw: string;
}

function stemKind(stem: string): OriginatorKind {
  if (stem.startsWith('C')) return 'ae-c';
  if (stem.startsWith('S')) return 'ae-s';
  return 'other';
}

/**
 * Classifies an originator ID. Choice (docs/identifiers.md): a single SP-relative segment starting with
 * 'S' is an S-type AE-ID ('/S…'), any other single segment is a CSE-ID; CSE-IDs therefore should not
 * start with 'C' or 'S'. A CSE-relative ID is an AE-ID-Stem ('C…' or 'S…') or 'other' (e.g. a not yet
 * registered AE's chosen name, accepted only for CREATE AE).
 */
export function parseOriginator(fr: string): Originator {
  if (typeof fr !== 'string' || fr.length === 0) bad('from', String(fr), 'missing');
  let scope: IdScope;
  let spId: string | undefined;
  let rest: string[];
  if (fr.startsWith('//')) {
    const parts = fr.slice(2).split('/');
    scope = 'absolute';
    spId = parts[0];
    rest = parts.slice(1);
    if (rest.length === 0) bad('from', fr, 'absolute form needs //{SP-ID}/{CSE-ID or AE-ID}');
  } else if (fr.startsWith('/')) {
    scope = 'sp-relative';
    rest = fr.slice(1).split('/');
  } else {
    checkSegments('from', fr, [fr]);
    return { kind: stemKind(fr), scope: 'cse-relative', stem: stemKind(fr) === 'other' ? undefined : fr, raw: fr };
  }
  checkSegments('from', fr, spId === undefined ? rest : [spId, ...rest]);
  if (rest.length === 1) {
    const [seg] = rest as [string];
    if (seg.startsWith('S')) return { kind: 'ae-s', scope, spId, stem: seg, raw: fr };
    return { kind: 'cse', scope, spId, cseId: `/${seg}`, raw: fr };
  }
  if (rest.length === 2 && rest[1]!.startsWith('C')) {
    return { kind: 'ae-c', scope, spId, cseId: `/${rest[0]}`, stem: rest[1], raw: fr };
  }
  bad('from', fr, 'not a CSE-ID or AE-ID form of TS-0001 Table 7.2-1');
}

/** The context this CSE normalises IDs in. */
export interface IdContext {
  /** SP-ID without '//', e.g. 'm2msec.org'. */
  spId: string;
  /** SP-relative CSE-ID, e.g. '/id-in'. */
  cseId: string;
}

/**
 * SP-relative form of an originator seen by this CSE: CSE-relative C-stems gain this CSE's ID,
 * absolute IDs of our own SP drop the SP-ID. IDs of other SPs stay absolute.
 */
export function toSpRelativeOriginator(o: Originator, ctx: IdContext): string {
  if (o.scope === 'absolute' && o.spId !== ctx.spId) return o.raw;
  switch (o.kind) {
    case 'cse':
      return o.cseId!;
    case 'ae-s':
      return `/${o.stem}`;
    case 'ae-c':
      return `${o.cseId ?? ctx.cseId}/${o.stem}`;
    default:
      return o.raw;
  }
}

/** Absolute form of an originator, e.g. '//m2msec.org/id-in/Cabc'. */
export function toAbsoluteOriginator(o: Originator, ctx: IdContext): string {
  const sp = toSpRelativeOriginator(o, ctx);
  return sp.startsWith('//') || !sp.startsWith('/') ? sp : `//${ctx.spId}${sp}`;
}

/** True when the target is hosted by this CSE (no SP-ID or ours, no CSE-ID or ours). */
export function isLocalTarget(t: Target, ctx: IdContext): boolean {
  if (t.scope === 'absolute' && t.spId !== ctx.spId) return false;
  return t.cseId === undefined || t.cseId === ctx.cseId;
}
