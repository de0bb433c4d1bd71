// Configuration errors a person can act on (issue 19 item 4): each schema violation names the key path,
// what is allowed there and, for a misspelt key, the closest allowed one. Values are never echoed (a
// configuration can hold secrets); ajv's own wording stays first so existing messages still match.
import type { ErrorObject } from 'ajv';

/** Edit distance with adjacent transpositions (optimal string alignment). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      // Two neighbours swapped ('levle') is one typo, not two.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** The allowed key nearest to `key` (case-insensitive edit distance at most a third of its length). */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of allowed) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.k : undefined;
}

const list = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).join(', ');

/** One line per problem. Compile the schema with `verbose: true` so the allowed keys can be named. */
export function describeConfigProblems(errors: readonly ErrorObject[]): string[] {
  return errors.map((e) => {
    const at = e.instancePath || '/';
    const base = `${at} ${e.message ?? 'is invalid'}`;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const near = closestKey(key, allowed);
        return `${base}: '${key}' is not a setting here${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}${near ? `; did you mean '${near}'?` : ''}`;
      }
      case 'enum':
        return `${base}: ${list((e.params as { allowedValues: unknown[] }).allowedValues)}`;
      case 'required':
        return `${base} (add '${(e.params as { missingProperty: string }).missingProperty}' under ${at})`;
      default:
        return base;
    }
  });
}
