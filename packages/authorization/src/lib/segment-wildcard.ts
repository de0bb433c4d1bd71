// '*' in accessControlOriginators (TS-0003 7.1.3): any run of characters whose scope ends at the next
// '/', so a pattern and a value match segment by segment. No regular expression is built from the
// pattern; literal parts are placed left to right at their first fit (no backtracking needed).

export type SegmentMatcher = (segment: string) => boolean;

export function compileSegment(pattern: string): SegmentMatcher {
  if (!pattern.includes('*')) return (s) => s === pattern;
  if (pattern === '*') return () => true;
  const parts = pattern.split('*');
  const prefix = parts[0]!;
  const suffix = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  return (s) => {
    if (s.length < minLength || !s.startsWith(prefix) || !s.endsWith(suffix)) return false;
    const end = s.length - suffix.length;
    let pos = prefix.length;
    for (const part of middle) {
      const at = s.indexOf(part, pos);
      if (at < 0 || at + part.length > end) return false;
      pos = at + part.length;
    }
    return true;
  };
}

/** Matches a list of segments against a list of segment patterns of the same length. */
export function compileSegments(patterns: readonly string[]): (segments: readonly string[]) => boolean {
  const ms = patterns.map(compileSegment);
  return (segments) => {
    if (segments.length !== ms.length) return false;
    for (let i = 0; i < ms.length; i++) if (!ms[i]!(segments[i]!)) return false;
    return true;
  };
}
