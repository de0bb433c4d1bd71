import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoInputError, MAX_SEQUENCE_NUMBER, type ReplayCheck, ReplayWindow } from '../src/index.js';

/** The obvious model: every accepted number in a Set, plus the highest one. */
class NaiveWindow {
  readonly seen = new Set<bigint>();
  max: bigint | undefined;
  constructor(readonly size = 64n) {}

  check(s: bigint): ReplayCheck {
    if (this.max === undefined || s > this.max) return { ok: true };
    if (this.max - s >= this.size) return { ok: false, reason: 'too-old' };
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
  it('behaves exactly like the naive Set model (sizes 32 to 128), across persistence, near 0, 2^48, 2^53 and 2^64', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASES),
        fc.array(opArb, { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        fc.constantFrom(32, 64, 64, 100, 128),
        (base, ops, useBigint, size) => {
          const model = new NaiveWindow(BigInt(size));
          let w = new ReplayWindow(size);
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
            expect(w.size).toBe(size);
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
    expect(corrupt((b) => (b[0] = 3))).toThrow(/unknown format version 3/);
    expect(corrupt((b) => (b[1] = 7))).toThrow(/unknown flags 7/);
    expect(corrupt((b) => (b[17] = 0b1010))).toThrow(/highest sequence number is not marked/);
    expect(corrupt((b) => (b[16] = 1))).toThrow(/below 0/);
    expect(corrupt((b) => (b[1] = 0))).toThrow(/empty window with non-zero fields/);
    expect(() => ReplayWindow.fromBytes(bytes.subarray(0, 17))).toThrow(/expected 18 bytes, got 17/);
    expect(() => ReplayWindow.parse('not a window')).toThrow(/24 characters for a 64-entry window/);
  });

  it('refuses a window smaller than 32 (RFC 6347 4.1.2.6) or larger than 1024', () => {
    for (const bad of [0, 16, 31, 1025, 64.5, Number.NaN]) {
      expect(() => new ReplayWindow(bad), String(bad)).toThrow(/window size must be an integer from 32 to 1024/);
    }
    expect(new ReplayWindow(32).size).toBe(32);
    expect(new ReplayWindow().size).toBe(64);
  });

  it('a window of another size has its own persisted form and keeps its size', () => {
    const w = new ReplayWindow(100);
    w.accept(200);
    w.accept(101); // 99 behind: inside a 100-entry window
    expect(w.check(100)).toEqual({ ok: false, reason: 'too-old' });
    const text = w.toString();
    expect(text).not.toHaveLength(24);
    const r = ReplayWindow.parse(text);
    expect(r.size).toBe(100);
    expect(r.check(101)).toEqual({ ok: false, reason: 'duplicate' });
    expect(r.check(102)).toEqual({ ok: true });
    const bytes = w.toBytes();
    const marksBeyond = Buffer.from(bytes);
    marksBeyond[12] = 0xff; // bits 96..103 of a 100-entry bitmap: 100..103 lie outside it
    expect(() => ReplayWindow.fromBytes(marksBeyond)).toThrow(/marks beyond the window/);
    const wrongLength = Buffer.concat([bytes, Buffer.alloc(1)]);
    expect(() => ReplayWindow.fromBytes(wrongLength)).toThrow(/for size 100/);
    const tiny = Buffer.from(bytes);
    tiny.writeUInt16BE(16, 2);
    expect(() => ReplayWindow.fromBytes(tiny)).toThrow(/window size 16 not allowed/);
  });

  it('resizing never re-admits a number that was left of the old window', () => {
    const w = new ReplayWindow(32);
    w.accept(10); // accepted long ago ...
    w.accept(100); // ... then left of the 32-entry window (90 behind)
    const grown = w.resized(128);
    expect(grown.size).toBe(128);
    expect(grown.check(10)).toEqual({ ok: false, reason: 'duplicate' }); // fail closed, not re-admitted
    expect(grown.check(50)).toEqual({ ok: false, reason: 'duplicate' }); // unknown then: refused now too
    expect(grown.check(69)).toEqual({ ok: true }); // inside the old window, never accepted
    expect(grown.check(100)).toEqual({ ok: false, reason: 'duplicate' });
    const shrunk = grown.resized(32);
    expect(shrunk.check(60)).toEqual({ ok: false, reason: 'too-old' });
    expect(shrunk.check(69)).toEqual({ ok: true });
    expect(new ReplayWindow().resized(32).highest).toBeUndefined();
    const low = new ReplayWindow(32);
    low.accept(3);
    expect(ReplayWindow.fromBytes(low.resized(64).toBytes()).check(2)).toEqual({ ok: true });
  });
});
