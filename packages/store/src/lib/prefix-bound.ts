/**
 * The smallest string greater than every string starting with `prefix`, in code point order (which is
 * UTF-8 byte order, SQLite's BINARY and PostgreSQL's "C" collation): the prefix with its last code point
 * incremented, carrying past U+10FFFF and skipping surrogates. Undefined if no such bound exists.
 * `key >= prefix AND key < bound` then selects exactly the keys starting with `prefix`, through an index.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    let last = cps.pop()! + 1;
    if (last === 0xd800) last = 0xe000;
    if (last <= 0x10ffff) {
      cps.push(last);
      return String.fromCodePoint(...cps);
    }
  }
  return undefined;
}
