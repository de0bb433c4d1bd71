// Small typed checks for untrusted values; each failure is an M2MError 4000 naming the field.
import { badRequest, show } from './bad-request.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function expectObject(v: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(v)) badRequest(`${what} must be an object`);
  return v;
}

export function expectString(v: unknown, what: string, nonEmpty = true): string {
  if (typeof v !== 'string') badRequest(`${what} must be a string`);
  if (nonEmpty && v.length === 0) badRequest(`${what} must not be empty`);
  return v;
}

export function expectBoolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') badRequest(`${what} must be a boolean`);
  return v;
}

/** Integer within [min, max]; the message names the range. */
export function expectInt(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? min === 0
          ? 'a non-negative integer'
          : min === 1
            ? 'a positive integer'
            : `an integer >= ${min}`
        : `an integer in ${min}..${max}`;
    badRequest(`${what} must be ${range} (got ${show(v)})`);
  }
  return v;
}

export function expectOneOf(v: unknown, what: string, allowed: readonly number[]): number {
  if (typeof v !== 'number' || !allowed.includes(v)) {
    badRequest(`${what} must be one of ${allowed.join(', ')} (got ${show(v)})`);
  }
  return v;
}

export function expectStringList(v: unknown, what: string, minItems = 0): string[] {
  if (!Array.isArray(v)) badRequest(`${what} must be a list of strings`);
  if (v.length < minItems) badRequest(`${what} must have at least ${minItems} member${minItems === 1 ? '' : 's'}`);
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0) badRequest(`${what}[${i}] must be a non-empty string`);
  });
  return v as string[];
}

export function expectIntList(v: unknown, what: string, min: number): number[] {
  if (!Array.isArray(v)) badRequest(`${what} must be a list of integers`);
  for (const [i, n] of v.entries()) expectInt(n, `${what}[${i}]`, min);
  return v as number[];
}
