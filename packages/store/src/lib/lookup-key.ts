// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * A key used to look something up: TypeError if it is not a string; null if it holds text no stored key can
 * contain (U+0000, lone surrogates), which is then simply not found. PostgreSQL's driver would turn a lone
 * surrogate into U+FFFD and could match another key, so such keys never reach a query.
 */
export function lookupKey(value: unknown, what: string): string | null {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value.includes('\u0000') || LONE_SURROGATE.test(value) ? null : value;
}
