// Sorted arrays with binary search: the in-memory store's indexes (memory/), ordered as the databases'
// B-trees are, so a lookup or a range costs a search plus the entries it returns.
import { compareCodePoints } from './compare-code-points.js';

export type Pair = readonly [value: string, key: string];

/** Orders (value, key) pairs as a composite index (value, key) in code point order. */
export const comparePairs = (a: Pair, b: Pair) => compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);

/** First position in sorted `xs` whose element is not below `x`. */
export function lowerBound<X>(xs: readonly X[], x: X, cmp: (a: X, b: X) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(xs[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `x` into sorted `xs` at its place. */
export function insertSorted<X>(xs: X[], x: X, cmp: (a: X, b: X) => number): void {
  xs.splice(lowerBound(xs, x, cmp), 0, x);
}

/** Removes the element equal to `x` (by `cmp`) from sorted `xs`, if present. */
export function removeSorted<X>(xs: X[], x: X, cmp: (a: X, b: X) => number): void {
  const at = lowerBound(xs, x, cmp);
  if (at < xs.length && cmp(xs[at]!, x) === 0) xs.splice(at, 1);
}
