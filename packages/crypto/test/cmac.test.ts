import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesCmac, aesCmac, aesCmacPrf128, CryptoInputError } from '../src/index.js';
import { fromHex, opensslCmac } from './helpers/tools.js';

const K = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
const M64 = fromHex(
  '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
);

describe('AES-CMAC (RFC 4493)', () => {
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('RFC 4493 section 4 example with a %i-byte message', (len, tag) => {
    expect(aesCmac(K, M64.subarray(0, len)).toString('hex')).toBe(tag);
  });

  it('matches openssl mac CMAC for AES-128/192/256 keys and message lengths 0..70', () => {
    for (const keyLength of [16, 24, 32]) {
      const key = randomBytes(keyLength);
      const cmac = new AesCmac(key);
      for (const len of [0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 64, 70]) {
        const msg = randomBytes(len);
        const expected = opensslCmac(key, msg);
        expect(aesCmac(key, msg).toString('hex'), `key ${keyLength}, message ${len}`).toBe(expected);
        // The keyed object reuses one AES context: the second and later MACs must stay right.
        expect(cmac.mac(msg).toString('hex')).toBe(expected);
      }
    }
  });

  it('matches openssl for a 1 KiB message', () => {
    const key = randomBytes(16);
    const msg = randomBytes(1024);
    expect(aesCmac(key, msg).toString('hex')).toBe(opensslCmac(key, msg));
  });

  it('rejects keys that are not AES keys, without echoing them', () => {
    const key = Buffer.from('secret-key-17byt');
    expect(() => aesCmac(Buffer.concat([key, Buffer.of(1)]), Buffer.alloc(0))).toThrow(
      /AES key must be 16, 24, 32 bytes, got 17/,
    );
    const err = (() => {
      try {
        aesCmac(key.subarray(0, 15), Buffer.alloc(0));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CryptoInputError);
    expect((err as Error).message).not.toContain('secret');
  });
});

describe('AES-CMAC-PRF-128 (RFC 4615)', () => {
  const m = fromHex('000102030405060708090a0b0c0d0e0f10111213');
  it.each([
    ['000102030405060708090a0b0c0d0e0fedcb', '84a348a4a45d235babfffc0d2b4da09a'],
    ['000102030405060708090a0b0c0d0e0f', '980ae87b5f4c9c5214f5b6a8455e4c2d'],
    ['00010203040506070809', '290d9e112edb09ee141fcf64c0b72f3d'],
  ])('RFC 4615 section 4 vector with key %s', (vk, prv) => {
    expect(aesCmacPrf128(fromHex(vk), m).toString('hex')).toBe(prv);
  });

  it('reduces a non-16-byte key with AES-CMAC(0^128, VK), as openssl computes it', () => {
    const vk = randomBytes(37);
    const msg = randomBytes(29);
    const reduced = fromHex(opensslCmac(Buffer.alloc(16), vk));
    expect(aesCmacPrf128(vk, msg).toString('hex')).toBe(opensslCmac(reduced, msg));
  });

  it('accepts an empty key (RFC 4615 allows any length)', () => {
    expect(aesCmacPrf128(Buffer.alloc(0), Buffer.alloc(0))).toHaveLength(16);
  });
});
