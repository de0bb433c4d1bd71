// accessControlOriginators (TS-0003 7.1.5, TS-0004 6.3.5.27): 'all' and exact CSE-IDs / AE-IDs, matched
// after normalising both sides to the SP-relative form of this CSE.
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';

export type OriginatorMatcher = (originator: string) => boolean;

const ALL: OriginatorMatcher = () => true;
const NONE: OriginatorMatcher = () => false;

/** Normalises an acor entry; an entry that is not a well-formed ID can never match (fails closed). */
export function normaliseAcorEntry(entry: string, ctx: IdContext): string | undefined {
  try {
    return toSpRelativeOriginator(parseOriginator(entry), ctx);
  } catch {
    return undefined;
  }
}

export function compileOriginators(acor: readonly string[], ctx: IdContext): OriginatorMatcher {
  if (acor.includes('all')) return ALL;
  const exact = new Set<string>();
  for (const entry of acor) {
    const n = normaliseAcorEntry(entry, ctx);
    if (n !== undefined) exact.add(n);
  }
  if (exact.size === 0) return NONE;
  if (exact.size === 1) {
    const [only] = exact;
    return (o) => o === only;
  }
  return (o) => exact.has(o);
}
