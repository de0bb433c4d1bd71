// A short budget of every harness (the CI run of `pnpm fuzz`): no finding allowed. And the runner itself
// against a planted bug, so a harness that could never report anything would be noticed.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../src/fuzz.js';
import { harness } from '../src/harness.js';
import { harnesses } from '../src/harnesses/index.js';

const CASES = Number(process.env.M2MSEC_FUZZ_CASES ?? 1500);

describe('pnpm fuzz, short budget', () => {
  for (const h of harnesses) {
    it(`${h.name}: ${h.parses}`, async () => {
      const r = await fuzz(h, { cases: CASES, seed: 7 });
      expect(r.cases).toBe(CASES);
      expect(r.examples, JSON.stringify(r.examples, null, 2)).toEqual([]);
      // Mutated seeds must both pass and fail the parser: a harness whose inputs are all refused (or all
      // accepted) explores nothing.
      expect(r.accepted).toBeGreaterThan(0);
      expect(r.refused).toBeGreaterThan(0);
    });
  }
});

describe('the runner', () => {
  it('reports a parser that throws something other than its refusal, with the input', async () => {
    class Refusal extends Error {}
    const planted = harness({
      name: 'planted',
      parses: 'a parser with a bug on inputs containing "{{"',
      input: fc.string(),
      run(s: string) {
        if (s.includes('{{')) (undefined as unknown as { x: number }).x;
        if (s.length > 5) throw new Refusal('too long');
      },
      refusal: (e) => e instanceof Refusal,
    });
    const r = await fuzz(planted, { cases: 20_000, seed: 3 });
    expect(r.findings).toBeGreaterThan(0);
    expect(r.examples[0]!.error).toMatch(/^TypeError/);
    expect(r.examples[0]!.input).toContain('{{');
  });

  it('counts a case slower than the limit as a finding', async () => {
    const slow = harness({
      name: 'slow',
      parses: 'a parser that spins on one input',
      input: fc.constantFrom('a', 'b'),
      run(s: string) {
        const end = Date.now() + (s === 'b' ? 30 : 0);
        while (Date.now() < end);
      },
      refusal: () => false,
    });
    const r = await fuzz(slow, { cases: 20, seed: 1, slowMs: 20 });
    expect(r.findings).toBeGreaterThan(0);
    expect(r.examples[0]!.error).toMatch(/^slow/);
  });
});
