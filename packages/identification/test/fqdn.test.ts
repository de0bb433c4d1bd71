import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpFqdn } from '../src/lib/fqdn.js';

// Reference: RFC 1123 host name, lowercase only (TS-0004 6.2.3 ABNF with digits allowed first).
const reference = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

describe('M2M-SP-ID FQDN (TS-0004 6.2.3)', () => {
  it('TS-0001 Table 7.2-1 examples are valid; uppercase, empty labels and edge hyphens are not', () => {
    for (const ok of [
      'www.m2mprovider.com',
      'globalm2m.org',
      'automotive.m2m.telematics-service-company.com',
      'a',
      '1und1.de',
    ]) {
      expect(isSpFqdn(ok)).toBe(true);
    }
    for (const bad of [
      '',
      'M2M.org',
      'a..b',
      '.a',
      'a.',
      '-a.org',
      'a-.org',
      'a_b.org',
      'a b',
      `${'a'.repeat(64)}.org`,
    ]) {
      expect(isSpFqdn(bad)).toBe(false);
    }
  });

  it('property: agrees with an RFC 1123 lowercase host-name regular expression', () => {
    const ch = fc.constantFrom('a', 'z', '0', '9', '-', '.', 'A', '_');
    const label = fc.array(ch, { maxLength: 70 }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          label,
          fc.array(label, { maxLength: 5 }).map((l) => l.join('.')),
        ),
        (s) => {
          expect(isSpFqdn(s)).toBe(reference.test(s));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
