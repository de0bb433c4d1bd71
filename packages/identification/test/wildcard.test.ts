import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWildcard, matchesWildcard } from '../src/index.js';

// Reference: the same language as a regular expression, every literal character escaped.
function referenceRegex(pattern: string): RegExp {
  const escaped = pattern.split('*').map((p) => p.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[\\s\\S]*')}$`, 'u');
}

describe('wildcard patterns of <serviceSubscribedAppRule> (TS-0001 Table 9.6.29-2)', () => {
  it('TS-0001 Table 9.6.29-2 examples: C123*X, S*, C*, *', () => {
    expect(matchesWildcard('C123*X', 'C123X')).toBe(true);
    expect(matchesWildcard('C123*X', 'C123abcX')).toBe(true);
    expect(matchesWildcard('C123*X', 'C123abc')).toBe(false);
    expect(matchesWildcard('C123*X', 'C12X')).toBe(false);
    expect(matchesWildcard('S*', 'Sabc')).toBe(true);
    expect(matchesWildcard('S*', 'Cabc')).toBe(false);
    expect(matchesWildcard('C*', 'C')).toBe(true);
    expect(matchesWildcard('*', '')).toBe(true);
    expect(matchesWildcard('*', '12-any@thing.org')).toBe(true);
  });

  it('TS-0001 Table 9.6.29-2: without "*" a pattern is an exact, case-sensitive value', () => {
    expect(matchesWildcard('Napp', 'Napp')).toBe(true);
    expect(matchesWildcard('Napp', 'NApp')).toBe(false);
    expect(matchesWildcard('Napp', 'Napp2')).toBe(false);
  });

  it('choice (README): "?" and regular-expression characters are literals', () => {
    expect(matchesWildcard('C?', 'Cx')).toBe(false);
    expect(matchesWildcard('C?', 'C?')).toBe(true);
    expect(matchesWildcard('a.b', 'axb')).toBe(false);
    expect(matchesWildcard('(a|b)*', 'a')).toBe(false);
    expect(matchesWildcard('[a-z]*', 'q')).toBe(false);
    expect(matchesWildcard('[a-z]*', '[a-z]q')).toBe(true);
  });

  it('prefix and suffix never overlap', () => {
    expect(matchesWildcard('ab*ba', 'aba')).toBe(false);
    expect(matchesWildcard('ab*ba', 'abba')).toBe(true);
    expect(matchesWildcard('a*a*a', 'aa')).toBe(false);
    expect(matchesWildcard('a*a*a', 'aaa')).toBe(true);
  });

  it('adversarial patterns finish (no backtracking blow-up)', () => {
    const value = `${'a'.repeat(20_000)}`;
    expect(matchesWildcard(`${'*a'.repeat(50)}*b`, value)).toBe(false);
    expect(matchesWildcard(`${'*a'.repeat(50)}*`, value)).toBe(true);
  });

  it('property: agrees with an escaped reference regular expression', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '.', '(', ')', '[', ']', '\\', '$', '^', '|', '+', '-');
    const pattern = fc.array(alphabet, { maxLength: 10 }).map((a) => a.join(''));
    const value = fc
      .array(
        alphabet.filter((c) => c !== '*'),
        { maxLength: 14 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(pattern, value, (p, v) => {
        expect(compileWildcard(p).matches(v)).toBe(referenceRegex(p).test(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: a value built from the pattern by filling every "*" matches it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 }),
        (parts, fills) => {
          const literal = parts.map((p) => p.replaceAll('*', ''));
          const pattern = literal.join('*');
          const value = literal.reduce((acc, p, i) => (i === 0 ? p : acc + (fills[i - 1] ?? '') + p), '');
          expect(matchesWildcard(pattern, value)).toBe(true);
        },
      ),
    );
  });
});
