// RFC 7252 clause 3 codec: exact bytes of a known message, extended option deltas and lengths, every
// malformed shape refused with CoapFormatError, and a bounded mutation fuzz (1M cases) in which the
// parser only ever returns a message or throws CoapFormatError, and what it returns re-serialises.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CoapFormatError, CoapType, parseCoap, serializeCoap } from '../src/index.js';
import { encodeBlock, parseBlock } from '../src/message/block.js';

const sample = {
  type: CoapType.CON,
  code: 0x01,
  messageId: 0x1234,
  token: Buffer.from([0xaa, 0xbb]),
  options: [
    { number: 11, value: Buffer.from('cse-in') },
    { number: 283, value: Buffer.from('rqi-1') }, // delta 272: 2-byte extended delta
    { number: 339, value: Buffer.alloc(300, 0x61) }, // 2-byte extended length
  ],
  payload: Buffer.from('{}'),
};

describe('CoAP codec', () => {
  it('serialises a known message to the RFC 7252 layout and parses it back', () => {
    const b = serializeCoap(sample);
    expect(b.subarray(0, 6).toString('hex')).toBe('42011234aabb');
    expect(b[6]).toBe(0xb6); // delta 11, length 6
    expect(b.subarray(13, 16).toString('hex')).toBe('e50003'); // 2-byte extended delta, length 5
    expect(b.readUInt16BE(14)).toBe(283 - 11 - 269);
    expect(parseCoap(b)).toEqual(sample);
  });

  it('refuses malformed messages with a reason', () => {
    const bad: [string, Buffer][] = [
      ['short', Buffer.from('4001', 'hex')],
      ['version 2', Buffer.from('80010000', 'hex')],
      ['token length 9', Buffer.from('490100000102030405060708', 'hex')],
      ['truncated token', Buffer.from('42010000aa', 'hex')],
      ['payload marker without payload', Buffer.from('40010000ff', 'hex')],
      ['reserved delta nibble', Buffer.from('40010000f0', 'hex')],
      ['reserved length nibble', Buffer.from('400100000f', 'hex')],
      ['truncated extended delta', Buffer.from('40010000d0', 'hex')],
      ['truncated option value', Buffer.from('4001000013aa', 'hex')],
      ['empty message with token', Buffer.from('41000000aa', 'hex')],
    ];
    for (const [what, b] of bad) expect(() => parseCoap(b), what).toThrow(CoapFormatError);
  });

  it('Block option values (RFC 7959 2.2): SZX 7 and values over 3 bytes are malformed', () => {
    expect(parseBlock(encodeBlock({ num: 70, more: true, szx: 6 }))).toEqual({ num: 70, more: true, szx: 6 });
    expect(parseBlock(Buffer.from([0x07]))).toBeUndefined();
    expect(parseBlock(Buffer.from([1, 2, 3, 4]))).toBeUndefined();
  });

  it('survives 1M mutated and random inputs: a message or CoapFormatError, nothing else', () => {
    const seed = serializeCoap(sample);
    const deadline = Date.now() + 60_000;
    let parsed = 0;
    const cases = 1_000_000;
    const pool = randomBytes(cases * 2);
    for (let i = 0; i < cases; i++) {
      let input: Buffer;
      if (i % 4 === 0) input = pool.subarray(i, i + (pool[i]! % 40));
      else {
        input = Buffer.from(seed.subarray(0, 4 + (pool[i]! % (seed.length - 3))));
        const at = pool[i + 1]! % input.length;
        input[at] = pool[i + 2]!;
      }
      try {
        const m = parseCoap(input);
        parsed++;
        expect(parseCoap(serializeCoap(m))).toEqual(m);
      } catch (e) {
        if (!(e instanceof CoapFormatError)) throw e;
      }
      if ((i & 0xffff) === 0 && Date.now() > deadline) throw new Error(`fuzz too slow: ${i} cases in 60 s`);
    }
    expect(parsed).toBeGreaterThan(1000);
  }, 90_000);
});
