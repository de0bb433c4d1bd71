/**
 * Orders strings by Unicode code point, as SQLite BINARY and PostgreSQL "C" do (JS `<` compares UTF-16
 * units, which differs only where a surrogate meets a unit >= U+E000): at the first differing unit,
 * surrogates are moved above U+FFFF's units (the usual UTF-16 to code point order fix-up).
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

const fixup = (u: number) => (u >= 0xd800 ? (u <= 0xdfff ? u + 0x2000 : u - 0x800) : u);
