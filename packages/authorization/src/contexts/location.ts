// accessControlLocationRegion (TS-0003 7.1.3, TS-0004 6.3.5.28 m2m:locationRegion): either countryCode
// (accc, ISO 3166-1 alpha-2) or circRegion (accr: latitude, longitude, radius in metres), never both,
// matched against rq_loc. Distances are great-circle (haversine) on a sphere of the mean Earth radius.
import { AccessControlRuleError, clip } from '../errors.js';
import { countriesAt, countryCodeAlias, isCountryCode } from '../location/country.js';
import type { GeoLocation } from '../types.js';

export type LocationMatcher = (loc: GeoLocation) => boolean;

/** IUGG mean Earth radius R1 in metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres between two WGS84 points (haversine). */
export function greatCircleDistance(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** The country codes of a location: those its source stated, else the offline border lookup. */
export function countriesOf(loc: GeoLocation): readonly string[] {
  return loc.country !== undefined ? [loc.country] : countriesAt(loc.latitude, loc.longitude);
}

function compileCircle(accr: unknown, path: string): LocationMatcher {
  const fail = (why: string): never => {
    throw new AccessControlRuleError(path, why);
  };
  if (!Array.isArray(accr) || accr.length !== 3 || accr.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    fail(`'${clip(accr)}' must be a list of 3 numbers [latitude, longitude, radius in metres]`);
  const [lat, lon, radius] = accr as [number, number, number];
  if (lat < -90 || lat > 90) fail(`latitude ${lat} is outside -90..90`);
  if (lon < -180 || lon > 180) fail(`longitude ${lon} is outside -180..180`);
  if (radius < 0) fail(`radius ${radius} must not be negative`);
  // Compare haversine terms instead of distances: hav(d/R) <= hav(radius/R) needs no asin per request.
  const limit = radius / EARTH_RADIUS_M >= Math.PI ? 1 : Math.sin(radius / EARTH_RADIUS_M / 2) ** 2;
  const cosLat = Math.cos(lat * RAD);
  return (loc) => {
    const la = loc.latitude;
    const lo = loc.longitude;
    if (!(la >= -90 && la <= 90 && lo >= -180 && lo <= 180)) return false; // NaN or out of range: closed
    const s =
      Math.sin((la - lat) * RAD * 0.5) ** 2 + cosLat * Math.cos(la * RAD) * Math.sin((lo - lon) * RAD * 0.5) ** 2;
    return s <= limit;
  };
}

function compileCountries(accc: unknown, path: string): LocationMatcher {
  if (!Array.isArray(accc) || accc.length === 0)
    throw new AccessControlRuleError(path, 'must be a non-empty list of ISO 3166-1 alpha-2 country codes');
  const codes = accc.map((c, i) => {
    if (typeof c !== 'string' || !isCountryCode(c)) {
      const alias = typeof c === 'string' ? countryCodeAlias(c) : undefined;
      throw new AccessControlRuleError(
        `${path}[${i}]`,
        `'${clip(c)}' is not an ISO 3166-1 alpha-2 country code${alias ? ` (the code is '${alias}')` : ''}`,
      );
    }
    return c;
  });
  const wanted = new Set(codes);
  return (loc) => {
    for (const c of countriesOf(loc)) if (wanted.has(c)) return true;
    return false;
  };
}

/** Compiles aclr; throws AccessControlRuleError on a malformed region. */
export function compileLocationRegion(aclr: unknown, path: string): LocationMatcher {
  if (typeof aclr !== 'object' || aclr === null || Array.isArray(aclr))
    throw new AccessControlRuleError(path, 'must be an m2m:locationRegion object {accc} or {accr}');
  const { accc, accr, ...rest } = aclr as { accc?: unknown; accr?: unknown };
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new AccessControlRuleError(path, `has unknown element '${clip(unknown[0])}'`);
  // TS-0004 6.3.5.28: an xs:choice, exactly one of the two.
  if (accc !== undefined && accr !== undefined)
    throw new AccessControlRuleError(path, 'must contain either accc or accr, not both (xs:choice)');
  if (accc !== undefined) return compileCountries(accc, `${path}.accc`);
  if (accr !== undefined) return compileCircle(accr, `${path}.accr`);
  throw new AccessControlRuleError(path, 'must contain accc (country codes) or accr (circular region)');
}
