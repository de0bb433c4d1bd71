/** A non-negative integer count (limit, offset) or undefined. */
export function checkLimit(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new TypeError(`${what} must be a non-negative integer`);
  return value as number;
}
