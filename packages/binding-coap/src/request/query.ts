// TS-0008 6.2.2.3 carries these in Uri-Query options with the short names of TS-0004 8.2.2, the same
// fields and forms as TS-0009 6.2.2.2 (Table 6.2.2.2-1): query-string fields -> request primitive parameters and
// filterCriteria elements. 0..n fields may repeat or join values with '+' (ty=2+3+4); a literal '+'
// inside a value is sent percent-encoded (%2B).
import type { FilterCriteria, RequestPrimitive } from '@m2msec/protocol';
import { badRequest, notImplemented, show } from '../lib/errors.js';
import { parseBoolean, parseInteger } from '../lib/numbers.js';

type Kind = 'int' | 'ints' | 'string' | 'strings' | 'bool';
type Place = 'primitive' | 'fc';

interface Field {
  kind: Kind;
  place: Place;
}

const f = (kind: Kind, place: Place = 'primitive'): Field => ({ kind, place });

/** The fields this binding maps, with their type and multiplicity. */
export const queryFields: Readonly<Record<string, Field>> = {
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
};

// Table 6.2.2.2-1 fields the primitive has no place for (filter elements this CSE does not evaluate): refused (5001) so that, e.g., a discovery with a
// semantic filter never silently returns an unfiltered result.
const notSupported: Readonly<Record<string, string>> = {
  smf: 'semanticsFilter',
  cfs: 'contentFilterSyntax',
  cfq: 'contentFilterQuery',
  atrl: 'attributeList (partial retrieve)',
};

function decode(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return badRequest(`query parameter '${name}' has malformed percent-encoding`);
  }
}

type Query = Pick<
  RequestPrimitive,
  'rcn' | 'rt' | 'rp' | 'drt' | 'rids' | 'tids' | 'ltids' | 'tqi' | 'da' | 'asi' | 'auri' | 'sqi' | 'fc'
>;

/** Maps the raw query string (without '?') onto primitive fields; bad or unknown fields -> 4000 / 5001. */
export function parseQuery(rawQuery: string): Query {
  const values = new Map<string, string[]>(); // raw (still percent-encoded) values per field
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), 'name');
    const field = queryFields[name];
    if (field === undefined) {
      const long = notSupported[name];
      if (long !== undefined) notImplemented(`query parameter '${name}' (${long}) is not supported by this CSE`);
      badRequest(`unknown query parameter ${show(name)} (attribute filter conditions are not supported)`);
    }
    if (eq < 0 || eq === pair.length - 1) badRequest(`query parameter '${name}' has an empty value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !field.kind.endsWith('s')) badRequest(`query parameter '${name}' given more than once`);
    list.push(pair.slice(eq + 1));
    values.set(name, list);
  }

  const out: Query = {};
  const fc: Record<string, unknown> = {};
  for (const [name, raws] of values) {
    const field = queryFields[name]!;
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
  if (Object.keys(fc).length > 0) out.fc = fc as FilterCriteria;
  return out;
}
