// Long name <-> short name mapping of TS-0004 clause 8.2 (Tables 8.2.2-1 to 8.2.5-1, generated into
// src/generated/short-name-tables.ts). Bindings use short names on the wire (8.2.1); code may log or
// document long names. Several long names share a short name across contexts ('ec' is eventCategory
// and eventCat, 'or' is ontologyRef and originator): a context-free map needs one winner, taken in the
// order primitive parameters, resource attributes, complex-type members (first row wins).
import {
  complexMemberNames,
  primitiveParameterNames,
  primitiveRootNames,
  resourceAttributeNames,
  resourceTypeNames,
} from '../generated/short-name-tables.js';

// Spelling fixes of the spec tables (the short name is unambiguous).
const LONG_NAME_FIXES: Readonly<Record<string, string>> = { accessControWindow: 'accessControlWindow' };
const fix = (long: string) => LONG_NAME_FIXES[long] ?? long;

function buildMaps(rows: Iterable<readonly [string, string]>): [Map<string, string>, Map<string, string>] {
  const toShort = new Map<string, string>();
  const toLong = new Map<string, string>();
  for (const [l, short] of rows) {
    const long = fix(l);
    if (!toShort.has(long)) toShort.set(long, short);
    if (!toLong.has(short)) toLong.set(short, long);
  }
  return [toShort, toLong];
}

const plainRows = [
  ...primitiveParameterNames.map((r) => [r[0], r[1]] as const),
  ...resourceAttributeNames.map((r) => [r[0].replace(/^@/, ''), r[1]] as const),
  ...complexMemberNames.map((r) => [r[0], r[1]] as const),
];
// 'm2m:'-prefixed root elements: resource types (8.2.4), primitive roots (8.2.2-2), then members used as
// roots of Content (m2m:sgn, m2m:dbg, m2m:uril, m2m:seci, ... of 8.2.5).
const rootRows = [
  ...resourceTypeNames.map((r) => [`m2m:${r[0]}`, `m2m:${r[1]}`] as const),
  ...primitiveRootNames.map((r) => [`m2m:${r[0]}`, `m2m:${r[1]}`] as const),
  ...complexMemberNames.map((r) => [`m2m:${fix(r[0])}`, `m2m:${r[1]}`] as const),
];

const [plainToShort, plainToLong] = buildMaps(plainRows);
// 'targetedResourceType' is 'tirt' for <triggerRequest> (Table 8.2.3-6) and 'trt' in the dynamic
// authorization request (Table 8.2.5-1). This project speaks dynAuthDasRequest, so the long name maps
// to 'trt', and 'tirt' takes its Table 8.2.6-1 trigger-payload name so that every short name round-trips.
plainToShort.set('targetedResourceType', 'trt');
plainToShort.set('triggerInfoResourceType', 'tirt');
plainToLong.set('tirt', 'triggerInfoResourceType');
const [rootToShort, rootToLong] = buildMaps(rootRows);

/** Long name -> short name, including 'm2m:'-prefixed root names ('m2m:container' -> 'm2m:cnt'). */
export const longToShortNames: ReadonlyMap<string, string> = new Map([...plainToShort, ...rootToShort]);
/** Short name -> long name, including 'm2m:'-prefixed root names ('m2m:cnt' -> 'm2m:container'). */
export const shortToLongNames: ReadonlyMap<string, string> = new Map([...plainToLong, ...rootToLong]);

/** Short names of resource attributes (TS-0004 Tables 8.2.3-1 to 8.2.3-6): the names an attribute filter may use. */
export const resourceAttributeShortNames: ReadonlySet<string> = new Set(resourceAttributeNames.map((r) => r[1]));

/**
 * Members whose values are application data, never renamed inside: contentInstance content,
 * attribute values of filter criteria and m2m:attribute, mashup member values.
 */
export const opaqueMembers: ReadonlySet<string> = new Set(['con', 'content', 'val', 'value', 'mvl', 'memberValue']);

export function shortNameOf(long: string): string | undefined {
  return longToShortNames.get(long);
}
export function longNameOf(short: string): string | undefined {
  return shortToLongNames.get(short);
}

function rename(v: unknown, map: ReadonlyMap<string, string>, depth: number): unknown {
  if (depth > 64) throw new RangeError('short-name conversion: nesting deeper than 64 levels');
  if (Array.isArray(v)) return v.map((x) => rename(x, map, depth + 1));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const name = map.get(k) ?? k;
    // Object.defineProperty keeps a '__proto__' key an own property instead of setting the prototype.
    Object.defineProperty(out, name, {
      value: opaqueMembers.has(k) ? x : rename(x, map, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Deep copy with every known long name key replaced by its short name; unknown keys stay as they are. */
export function toShortNames<T = unknown>(obj: unknown): T {
  return rename(obj, longToShortNames, 0) as T;
}

/** Deep copy with every known short name key replaced by its long name; unknown keys stay as they are. */
export function toLongNames<T = unknown>(obj: unknown): T {
  return rename(obj, shortToLongNames, 0) as T;
}
