// '*' wildcards of <serviceSubscribedAppRule> lists (TS-0001 Table 9.6.29-2): '*' stands for any
// sequence of characters, including none; every other character (also '?') is literal. No regular
// expression is built from the pattern, and matching never backtracks: literal parts are placed
// left to right at their first fit, O(|pattern| * |value|) at worst.

export interface WildcardPattern {
  readonly source: string;
  matches(value: string): boolean;
}

class Exact implements WildcardPattern {
  constructor(readonly source: string) {}
  matches(value: string): boolean {
    return value === this.source;
  }
}

class Starred implements WildcardPattern {
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly middle: readonly string[];
  private readonly minLength: number;
  constructor(readonly source: string) {
    const parts = source.split('*');
    this.prefix = parts[0]!;
    this.suffix = parts[parts.length - 1]!;
    this.middle = parts.slice(1, -1).filter((p) => p !== '');
    this.minLength = parts.reduce((n, p) => n + p.length, 0);
  }
  matches(value: string): boolean {
    if (value.length < this.minLength) return false;
    if (!value.startsWith(this.prefix) || !value.endsWith(this.suffix)) return false;
    // The suffix occupies [end, length); middle parts must fit between prefix and suffix.
    const end = value.length - this.suffix.length;
    let pos = this.prefix.length;
    for (const part of this.middle) {
      const at = value.indexOf(part, pos);
      if (at < 0 || at + part.length > end) return false;
      pos = at + part.length;
    }
    return true;
  }
}

export function compileWildcard(pattern: string): WildcardPattern {
  return pattern.includes('*') ? new Starred(pattern) : new Exact(pattern);
}

/** One-off match; compile once with compileWildcard when a pattern is used repeatedly. */
export function matchesWildcard(pattern: string, value: string): boolean {
  return compileWildcard(pattern).matches(value);
}
