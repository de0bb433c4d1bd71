// Mutation-based inputs: valid seeds (real messages of each protocol) changed a few bytes at a time, which reach
// far deeper into a parser than random bytes do. Positions are taken modulo the current length.
import * as fc from 'fast-check';

const interesting = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x27, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3c, 0x3e, 0x26, 0x25];

type Op =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; byte: number }
  | { k: 'insert'; at: number; bytes: number[] }
  | { k: 'delete'; at: number; n: number }
  | { k: 'repeat'; at: number; n: number; times: number }
  | { k: 'splice'; at: number; other: number; from: number; n: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    k: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.oneof(fc.constantFrom(...interesting), fc.nat(255)),
  }),
  fc.record({
    k: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 32 }) }),
  fc.record({
    k: fc.constant('repeat' as const),
    at: fc.nat(),
    n: fc.integer({ min: 1, max: 16 }),
    times: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    k: fc.constant('splice' as const),
    at: fc.nat(),
    other: fc.nat(),
    from: fc.nat(),
    n: fc.integer({ min: 1, max: 64 }),
  }),
);

function apply(seed: Uint8Array, ops: Op[], seeds: readonly Uint8Array[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const o of ops) {
    const at = b.length === 0 ? 0 : o.at % (b.length + 1);
    switch (o.k) {
      case 'flip':
        if (at < b.length) b[at]! ^= 1 << o.bit;
        break;
      case 'set':
        if (at < b.length) b[at] = o.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(o.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.n)]);
        break;
      case 'repeat': {
        const piece = b.subarray(at, at + o.n);
        b = Buffer.concat([b.subarray(0, at), ...Array(o.times).fill(piece), b.subarray(at)]);
        break;
      }
      case 'splice': {
        const other = seeds[o.other % seeds.length]!;
        const from = other.length === 0 ? 0 : o.from % other.length;
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + o.n), b.subarray(at)]);
        break;
      }
    }
  }
  return b;
}

/** Seeds, each changed by 0..6 mutations (the unchanged seeds must pass: they are the accepted baseline). */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.nat(seeds.length - 1), fc.array(op, { maxLength: 6 }))
    .map(([i, ops]) => apply(seeds[i]!, ops, seeds));
}

/** Text seeds mutated as bytes, decoded as latin1 so every byte survives as one character. */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  const bytes = seeds.map((s) => Buffer.from(s, 'utf8'));
  return mutatedBytes(bytes).map((b) => Buffer.from(b).toString('latin1'));
}

/** Mutated seeds, plus arbitrary strings (full Unicode) for what mutation would never produce. */
export function textInput(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedText(seeds) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

/** Deeply nested JSON arrays/objects: the depth attack on a JSON parser and whatever walks its result. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean())
  .map(([n, obj]) => (obj ? `${'{"a":'.repeat(n)}1${'}'.repeat(n)}` : `${'['.repeat(n)}${']'.repeat(n)}`));
