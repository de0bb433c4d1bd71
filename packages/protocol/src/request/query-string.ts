// The request-parameter query of TS-0009 6.2.2.2 (Table 6.2.2.2-1): query-string fields -> request primitive
// parameters and filterCriteria elements. TS-0008 6.2.2.3 carries the same fields in Uri-Query options, so both
// bindings map them here. 0..n fields may repeat or join values with '+' (ty=2+3+4); a literal '+' inside a
// value is sent percent-encoded (%2B).
import { M2MError } from '../error.js';
import { resourceAttributeShortNames } from '../names/short-names.js';
import type { FilterCriteria, RequestPrimitive } from '../primitive.js';
import { ResponseStatusCode } from '../status.js';

function badRequest(message: string): never {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
}
/** 5001: a parameter this CSE does not act on is refused rather than silently ignored. */
function notImplemented(message: string): never {
  throw new M2MError(ResponseStatusCode.NOT_IMPLEMENTED, message);
}
/** Printable, length-bounded form of an untrusted value for an error message. */
const show = (value: string, max = 64): string => {
  const s = JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 4)}..."` : s;
};
const INTEGER = /^-?\d+$/;
function parseInteger(value: string, what: string): number {
  const n = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) badRequest(`${what} ${show(value)} is not an integer`);
  return n;
}
/** Table 6.2.2.2-1 boolean-typed parameters: 'true', 'false', '1', '0'. */
function parseBoolean(value: string, what: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return badRequest(`${what} ${show(value)} is not a boolean (true, false, 1 or 0)`);
}

type Kind = 'int' | 'ints' | 'string' | 'strings' | 'bool';
type Place = 'primitive' | 'fc';

interface Field {
  kind: Kind;
  place: Place;
}

const f = (kind: Kind, place: Place = 'primitive'): Field => ({ kind, place });

/** The fields this binding maps, with their type and multiplicity. */
export const queryStringFields: Readonly<Record<string, Field>> = {
  rcn: f('int'),
  rt: f('int'), // responseType element of responseTypeInfo; notificationURI comes from X-M2M-RTU
  rp: f('string'),
  drt: f('int'),
  rids: f('strings'),
  tids: f('strings'),
  ltids: f('strings'),
  tqi: f('bool'),
  da: f('bool'),
  asi: f('bool'),
  auri: f('bool'),
  sqi: f('bool'),
  crb: f('string', 'fc'),
  cra: f('string', 'fc'),
  ms: f('string', 'fc'),
  us: f('string', 'fc'),
  sts: f('int', 'fc'),
  stb: f('int', 'fc'),
  exb: f('string', 'fc'),
  exa: f('string', 'fc'),
  lbl: f('strings', 'fc'),
  ty: f('ints', 'fc'),
  sza: f('int', 'fc'),
  szb: f('int', 'fc'),
  cty: f('strings', 'fc'),
  lim: f('int', 'fc'),
  lvl: f('int', 'fc'),
  ofst: f('int', 'fc'),
  fu: f('int', 'fc'),
  fo: f('int', 'fc'),
  // Filter Criteria members of TS-0004 6.3.5.8 that Release 3's Table 6.2.2.2-1 does not list, mapped
  // under their short names like the other members: applyRelativePath (7.3.3.17.17), ...
  arp: f('string', 'fc'),
  // Likewise for the parent/child conditions (7.3.3.17.5, .6).
  clbl: f('strings', 'fc'),
  palb: f('strings', 'fc'),
  chty: f('ints', 'fc'),
  pty: f('ints', 'fc'),
  lbq: f('string', 'fc'), // labelsQuery (7.3.3.17.16)
};

// Table 6.2.2.2-1 fields the primitive has no place for (filter elements this CSE does not evaluate): refused (5001) so that, e.g., a discovery with a
// semantic filter never silently returns an unfiltered result.
const notSupported: Readonly<Record<string, string>> = {
  smf: 'semanticsFilter',
  cfs: 'contentFilterSyntax',
  cfq: 'contentFilterQuery',
  atrl: 'attributeList (partial retrieve)',
};

/**
 * TS-0009 6.2.2.2: an attribute condition is written as its resource attribute short name (TS-0004
 * Tables 8.2.3-x), 'name=value', repeatable: plain for attribute (atr), with the prefix 'c.' for
 * childAttribute (catr) and 'p.' for parentAttribute (patr).
 */
function attributeCondition(name: string): { member: 'atr' | 'catr' | 'patr'; nm: string } | undefined {
  const prefixed = /^([cp])\.(.+)$/.exec(name);
  if (prefixed) {
    if (!resourceAttributeShortNames.has(prefixed[2]!)) return undefined;
    return { member: prefixed[1] === 'c' ? 'catr' : 'patr', nm: prefixed[2]! };
  }
  return resourceAttributeShortNames.has(name) ? { member: 'atr', nm: name } : undefined;
}

function decode(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return badRequest(`query parameter '${name}' has malformed percent-encoding`);
  }
}

export type QueryParameters = Pick<
  RequestPrimitive,
  'rcn' | 'rt' | 'rp' | 'drt' | 'rids' | 'tids' | 'ltids' | 'tqi' | 'da' | 'asi' | 'auri' | 'sqi' | 'fc'
>;

/** Maps the raw query string (without '?') onto primitive fields; bad or unknown fields -> 4000 / 5001. */
export function parseQueryString(rawQuery: string): QueryParameters {
  const values = new Map<string, string[]>(); // raw (still percent-encoded) values per field
  const conditions: Record<'atr' | 'catr' | 'patr', Array<{ nm: string; val: string }>> = {
    atr: [],
    catr: [],
    patr: [],
  };
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), 'name');
    // Own entries only: '?constructor=1' must not find Object.prototype's and be taken as a field.
    const field = Object.hasOwn(queryStringFields, name) ? queryStringFields[name] : undefined;
    if (field === undefined) {
      const long = Object.hasOwn(notSupported, name) ? notSupported[name] : undefined;
      if (long !== undefined) notImplemented(`query parameter '${name}' (${long}) is not supported by this CSE`);
      const condition = attributeCondition(name);
      if (condition === undefined)
        badRequest(
          `unknown query parameter ${show(name)} (neither a parameter of TS-0009 Table 6.2.2.2-1 nor a resource attribute short name)`,
        );
      if (eq < 0) badRequest(`attribute condition '${name}' has no value`);
      // An empty value is a condition on the empty string; values are matched as text (TS-0004 7.3.3.17.9).
      conditions[condition.member].push({ nm: condition.nm, val: decode(pair.slice(eq + 1), name) });
      continue;
    }
    if (eq < 0 || eq === pair.length - 1) badRequest(`query parameter '${name}' has an empty value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !field.kind.endsWith('s')) badRequest(`query parameter '${name}' given more than once`);
    list.push(pair.slice(eq + 1));
    values.set(name, list);
  }

  const out: QueryParameters = {};
  const fc: Record<string, unknown> = {};
  for (const [name, raws] of values) {
    const field = queryStringFields[name]!;
    const what = `query parameter '${name}'`;
    let value: unknown;
    switch (field.kind) {
      case 'int':
        value = parseInteger(decode(raws[0]!, name), what);
        break;
      case 'bool':
        value = parseBoolean(decode(raws[0]!, name), what);
        break;
      case 'string':
        value = decode(raws[0]!, name);
        break;
      case 'strings':
      case 'ints': {
        const items = raws.flatMap((raw) => raw.split('+')).map((raw) => decode(raw, name));
        if (items.some((s) => s === '')) badRequest(`${what} has an empty list element`);
        value = field.kind === 'ints' ? items.map((s) => parseInteger(s, what)) : items;
        break;
      }
    }
    if (field.place === 'fc') fc[name] = value;
    else if (name === 'rt') out.rt = { rtv: value as number };
    else (out as Record<string, unknown>)[name] = value;
  }
  for (const [member, list] of Object.entries(conditions)) if (list.length > 0) fc[member] = list;
  if (Object.keys(fc).length > 0) out.fc = fc as FilterCriteria;
  return out;
}
