// m2m:filterCriteria (TS-0004 clause 6.3.5.8, Table 6.3.5.8-1) with the short names of Table 8.2.5-1.
import { badRequest } from '../lib/bad-request.js';
import {
  expectInt,
  expectIntList,
  expectObject,
  expectOneOf,
  expectString,
  expectStringList,
  isPlainObject,
} from '../lib/checks.js';
import type { FilterCriteria } from '../primitive.js';
import { parseTimestamp } from '../time/timestamp.js';

type Check = (v: unknown, what: string) => void;

const timestamp: Check = (v, w) => parseTimestamp(v, w);
const labels: Check = (v, w) => expectStringList(v, w, 1); // m2m:labels: list of xs:token, at least one
const types: Check = (v, w) => expectIntList(v, w, 1);
const nonNegative: Check = (v, w) => expectInt(v, w, 0);
const positive: Check = (v, w) => expectInt(v, w, 1);
const string: Check = (v, w) => expectString(v, w);
const attributes: Check = (v, w) => {
  // m2m:attribute (6.3.5.9): { nm, val } pairs.
  if (!Array.isArray(v)) badRequest(`${w} must be a list of {nm, val}`);
  v.forEach((a, i) => {
    if (!isPlainObject(a) || typeof a.nm !== 'string' || a.nm === '' || !('val' in a)) {
      badRequest(`${w}[${i}] must be an object {nm, val} with a non-empty nm`);
    }
  });
};

const members: Readonly<Record<string, Check>> = {
  crb: timestamp,
  cra: timestamp,
  ms: timestamp,
  us: timestamp,
  sts: positive,
  stb: nonNegative,
  exb: timestamp,
  exa: timestamp,
  lbl: labels,
  clbl: labels,
  palb: labels,
  lbq: string,
  ty: types,
  chty: types,
  pty: types,
  sza: nonNegative,
  szb: positive,
  cty: (v, w) => expectStringList(v, w),
  atr: attributes,
  catr: attributes,
  patr: attributes,
  fu: (v, w) => expectOneOf(v, w, [1, 2, 3]),
  lim: nonNegative,
  smf: (v, w) => expectStringList(v, w),
  fo: (v, w) => expectOneOf(v, w, [1, 2]),
  cfs: positive,
  cfq: string,
  lvl: positive,
  // xs:positiveInteger in Table 6.3.5.8-1: offsets count from 1.
  ofst: positive,
  arp: string,
};

/** Checks every member of a Filter Criteria parameter; unknown members are rejected. */
export function validateFilterCriteria(v: unknown): FilterCriteria {
  const fc = expectObject(v, 'fc');
  for (const [k, value] of Object.entries(fc)) {
    // Own members only: 'valueOf', 'constructor' or '__proto__' must not find Object.prototype's (a fuzz
    // finding: a TypeError, i.e. 5000, for a request naming one).
    const check = Object.hasOwn(members, k) ? members[k] : undefined;
    if (check === undefined) badRequest(`unknown filter criteria member 'fc.${k}'`);
    check(value, `fc.${k}`);
  }
  return fc as FilterCriteria;
}
