import { badRequest, show } from './errors.js';

const INTEGER = /^-?\d+$/;

/** A decimal integer from a header, query or media-type parameter; anything else -> 4000 naming `what`. */
export function parseInteger(value: string, what: string): number {
  const n = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) badRequest(`${what} ${show(value)} is not an integer`);
  return n;
}

/** TS-0009 Table 6.2.2.2-1 boolean-typed parameters: 'true', 'false', '1', '0'. */
export function parseBoolean(value: string, what: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return badRequest(`${what} ${show(value)} is not a boolean (true, false, 1 or 0)`);
}
