// Point-in-country lookup that works offline, from the country borders dataset shipped in
// @rapideditor/country-coder (OpenStreetMap-derived ISO 3166-1 borders; README "Dependencies").
import { feature, iso1A2Codes } from '@rapideditor/country-coder';

const cache = new Map<string, readonly string[]>();
const CACHE_LIMIT = 4096;

/**
 * The officially assigned ISO 3166-1 alpha-2 codes whose territory contains the point: a territory
 * with its own code and its country (San Juan: PR and US), [] at sea. Unions (EU) and reserved codes
 * are left out. A lookup costs microseconds, so results are cached by coordinates.
 */
export function countriesAt(latitude: number, longitude: number): readonly string[] {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return [];
  const key = `${latitude},${longitude}`;
  let codes = cache.get(key);
  if (codes === undefined) {
    codes = Object.freeze(
      iso1A2Codes([longitude, latitude]).filter((c) => feature(c)?.properties.isoStatus === 'official'),
    );
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, codes);
  }
  return codes;
}

/** Whether `code` is an officially assigned ISO 3166-1 alpha-2 code the dataset knows (accc validation). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  const p = feature(code)?.properties;
  return p !== undefined && p.id === code && p.isoStatus === 'official';
}

/** The code the dataset uses for an alias ('UK' -> 'GB'), for error messages. */
export function countryCodeAlias(code: string): string | undefined {
  const id = feature(code)?.properties.id;
  return id !== undefined && id !== code && isCountryCode(id) ? id : undefined;
}
