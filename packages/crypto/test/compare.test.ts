import { describe, expect, it } from 'vitest';
import { CryptoInputError, constantTimeEqual } from '../src/index.js';

describe('constantTimeEqual', () => {
  it('is true only for equal bytes of equal length', () => {
    const a = Buffer.from('0123456789abcdef');
    expect(constantTimeEqual(a, Buffer.from(a))).toBe(true);
    expect(constantTimeEqual(a, Buffer.from('0123456789abcdeF'))).toBe(false);
    expect(constantTimeEqual(a, a.subarray(0, 15))).toBe(false);
    expect(constantTimeEqual(a.subarray(0, 15), a)).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), Buffer.alloc(0))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), Buffer.of(1, 2))).toBe(true);
  });

  it('refuses non-byte input instead of coercing it', () => {
    expect(() => constantTimeEqual('abc' as unknown as Uint8Array, Buffer.from('abc'))).toThrow(CryptoInputError);
  });
});
