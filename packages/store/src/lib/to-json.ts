// JSON.stringify escapes NUL as \u0000 and a lone surrogate as \udXXX (surrogate pairs stay raw), so an escape
// preceded by an even number of backslashes is one of those. PostgreSQL jsonb rejects both; SQLite would keep
// them, so both backends refuse them for the same behaviour everywhere.
const UNSTORABLE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/** Serializes a value for storage; TypeError if it is not JSON or holds text PostgreSQL cannot store. */
export function toJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new TypeError(`${what} is not serializable as JSON: ${(e as Error).message}`);
  }
  if (json === undefined) throw new TypeError(`${what} is not a JSON value`);
  if (json.includes('\\u') && UNSTORABLE.test(json)) {
    throw new TypeError(`${what} contains U+0000 or a lone surrogate, which cannot be stored`);
  }
  return json;
}
