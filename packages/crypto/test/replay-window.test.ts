import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoInputError, MAX_SEQUENCE_NUMBER, type ReplayCheck, ReplayWindow } from '../src/index.js';

/** The obvious model: every accepted number in a Set, plus the highest one. */
class NaiveWindow {
  readonly seen = new Set<bigint>();
  max: bigint | undefined;

  check(s: bigint): ReplayCheck {
    if (this.max === undefined || s > this.max) return { ok: true };
    if (this.max - s >= 64n) return { ok: false, reason: 'too-old' };
    if (this.seen.has(s)) return { ok: false, reason: 'duplicate' };
    return { ok: true };
  }

  accept(s: bigint): boolean {
    if (!this.check(s).ok) return false;
    this.seen.add(s);
    if (this.max === undefined || s > this.max) this.max = s;
    return true;
  }
}

const BASES = [0n, 1000n, (1n << 48n) - 40n, BigInt(Number.MAX_SAFE_INTEGER) - 70n, MAX_SEQUENCE_NUMBER - 200n];

type Op = { kind: 'check' | 'accept' | 'persist'; offset: number; jump: boolean };
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('check', 'accept', 'accept', 'persist'),
  offset: fc.integer({ min: -90, max: 90 }),
  jump: fc.boolean(),
});

function seqFor(model: NaiveWindow, base: bigint, op: Op): bigint {
  // Mostly near the right edge, where the interesting cases are; sometimes far ahead.
  const anchor = model.max ?? base;
  let s = anchor + BigInt(op.offset) + (op.jump ? 150n : 0n);
  if (s < 0n) s = 0n;
  if (s > MAX_SEQUENCE_NUMBER) s = MAX_SEQUENCE_NUMBER;
  return s;
}

describe('ReplayWindow (RFC 6347 section 4.1.2.6 semantics)', () => {
  it('behaves exactly like the naive Set model, across persistence, near 0, 2^48, 2^53 and 2^64', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASES),
        fc.array(opArb, { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        (base, ops, useBigint) => {
          const model = new NaiveWindow();
          let w = new ReplayWindow();
          for (const op of ops) {
            const s = seqFor(model, base, op);
            const arg = useBigint || s > BigInt(Number.MAX_SAFE_INTEGER) ? s : Number(s);
            if (op.kind === 'persist') {
              w = op.jump ? ReplayWindow.parse(w.toString()) : ReplayWindow.fromBytes(w.toBytes());
              continue;
            }
            expect(w.check(arg)).toEqual(model.check(s));
            if (op.kind === 'accept') {
              const ok = model.accept(s);
              if (ok) w.accept(arg);
              else expect(() => w.accept(arg)).toThrow(/refused: (too-old|duplicate)/);
            }
            expect(w.highest).toBe(model.max);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts out-of-order numbers inside the window once, and refuses what fell off the left edge', () => {
    const w = new ReplayWindow();
    w.accept(100);
    w.accept(90);
    expect(w.check(90)).toEqual({ ok: false, reason: 'duplicate' });
    expect(w.check(37)).toEqual({ ok: true }); // 100 - 63: the oldest slot
    expect(w.check(36)).toEqual({ ok: false, reason: 'too-old' });
    w.accept(164); // the window moves right by 64: 100 falls off the left edge
    expect(w.check(100)).toEqual({ ok: false, reason: 'too-old' });
    expect(w.check(101)).toEqual({ ok: true });
    w.accept(1_000_000);
    expect(w.check(164)).toEqual({ ok: false, reason: 'too-old' });
  });

  it('works with 48-bit DTLS numbers and full 64-bit bigints', () => {
    const w = new ReplayWindow();
    const top = (1n << 48n) - 1n;
    w.accept(top);
    w.accept(top - 63n);
    expect(w.check(Number(top - 63n))).toEqual({ ok: false, reason: 'duplicate' });
    expect(w.check(top - 64n)).toEqual({ ok: false, reason: 'too-old' });
    w.accept(MAX_SEQUENCE_NUMBER);
    expect(w.highest).toBe(MAX_SEQUENCE_NUMBER);
    expect(w.check(MAX_SEQUENCE_NUMBER)).toEqual({ ok: false, reason: 'duplicate' });
    expect(ReplayWindow.parse(w.toString()).check(MAX_SEQUENCE_NUMBER - 1n)).toEqual({ ok: true });
  });

  it('a refused accept leaves the state untouched', () => {
    const w = new ReplayWindow();
    w.accept(5);
    w.accept(70);
    const before = w.toString();
    expect(() => w.accept(5)).toThrow(CryptoInputError);
    expect(() => w.accept(70)).toThrow(/refused: duplicate/);
    expect(() => w.accept(-1)).toThrow(/non-negative/);
    expect(w.toString()).toBe(before);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, -1n, MAX_SEQUENCE_NUMBER + 1n, '5', null])(
    'refuses sequence number %s',
    (bad) => {
      expect(() => new ReplayWindow().check(bad as number)).toThrow(/sequence number must be/);
    },
  );

  it('serialises to 18 bytes / 24 base64url characters and refuses corrupted state', () => {
    const w = new ReplayWindow();
    expect(ReplayWindow.parse(w.toString()).highest).toBeUndefined();
    w.accept(3);
    w.accept(1);
    const bytes = w.toBytes();
    expect(bytes).toHaveLength(18);
    expect(w.toString()).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const restored = ReplayWindow.fromBytes(bytes);
    expect(restored.check(1)).toEqual({ ok: false, reason: 'duplicate' });
    expect(restored.check(2)).toEqual({ ok: true });

    const corrupt = (mutate: (b: Buffer) => void) => {
      const b = Buffer.from(bytes);
      mutate(b);
      return () => ReplayWindow.fromBytes(b);
    };
    expect(corrupt((b) => (b[0] = 2))).toThrow(/unknown format version 2/);
    expect(corrupt((b) => (b[1] = 7))).toThrow(/unknown flags 7/);
    expect(corrupt((b) => (b[17] = 0b1010))).toThrow(/highest sequence number is not marked/);
    expect(corrupt((b) => (b[16] = 1))).toThrow(/below 0/);
    expect(corrupt((b) => (b[1] = 0))).toThrow(/empty window with non-zero fields/);
    expect(() => ReplayWindow.fromBytes(bytes.subarray(0, 17))).toThrow(/expected 18 bytes, got 17/);
    expect(() => ReplayWindow.parse('not a window')).toThrow(/24 base64url characters/);
  });
});
