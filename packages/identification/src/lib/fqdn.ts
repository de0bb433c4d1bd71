// M2M-SP-ID FQDN (TS-0004 6.2.3 ABNF: lowercase labels separated by '.'). Choice: a label may start
// with a digit (RFC 1123) although the ABNF's LABEL starts with a letter; uppercase is refused so
// that one SP never has two spellings. A character loop: this runs for every absolute From.

const isLowerAlnum = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);

export function isSpFqdn(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  let labelStart = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return false;
      if (!isLowerAlnum(s.charCodeAt(labelStart)) || !isLowerAlnum(s.charCodeAt(i - 1))) return false;
      labelStart = i + 1;
    } else if (c !== 0x2d && !isLowerAlnum(c)) {
      return false;
    }
  }
  return true;
}
