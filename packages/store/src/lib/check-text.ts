// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Indexed text (ri, srn, timestamps, labels, collection keys) must be well-formed Unicode without U+0000:
 * PostgreSQL text cannot hold NUL, and both backends must accept exactly the same inputs.
 */
export function checkText(value: unknown, what: string, allowEmpty = false): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  if (!allowEmpty && value.length === 0) throw new TypeError(`${what} must not be empty`);
  if (value.includes('\u0000')) throw new TypeError(`${what} must not contain U+0000`);
  if (LONE_SURROGATE.test(value)) throw new TypeError(`${what} must be well-formed Unicode (lone surrogate)`);
  return value;
}
