import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type HkdfDigest, hkdf, hkdfExpand, hkdfExtract } from '../src/index.js';
import { opensslHkdf } from './helpers/tools.js';

const range = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

// RFC 5869 Appendix A, test cases 1-7.
const VECTORS: {
  name: string;
  digest: HkdfDigest;
  ikm: Buffer;
  salt: Buffer;
  info: Buffer;
  l: number;
  prk: string;
  okm: string;
}[] = [
  {
    name: 'A.1 basic SHA-256',
    digest: 'sha256',
    ikm: Buffer.alloc(22, 0x0b),
    salt: range(0x00, 0x0c),
    info: range(0xf0, 0xf9),
    l: 42,
    prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    name: 'A.2 longer SHA-256',
    digest: 'sha256',
    ikm: range(0x00, 0x4f),
    salt: range(0x60, 0xaf),
    info: range(0xb0, 0xff),
    l: 82,
    prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
    okm:
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09' +
      'da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    name: 'A.3 zero-length salt/info SHA-256',
    digest: 'sha256',
    ikm: Buffer.alloc(22, 0x0b),
    salt: Buffer.alloc(0),
    info: Buffer.alloc(0),
    l: 42,
    prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
  {
    name: 'A.4 basic SHA-1',
    digest: 'sha1',
    ikm: Buffer.alloc(11, 0x0b),
    salt: range(0x00, 0x0c),
    info: range(0xf0, 0xf9),
    l: 42,
    prk: '9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243',
    okm: '085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896',
  },
  {
    name: 'A.5 longer SHA-1',
    digest: 'sha1',
    ikm: range(0x00, 0x4f),
    salt: range(0x60, 0xaf),
    info: range(0xb0, 0xff),
    l: 82,
    prk: '8adae09a2a307059478d309b26c4115a224cfaf6',
    okm:
      '0bd770a74d1160f7c9f12cd5912a06ebff6adcae899d92191fe4305673ba2ffe8fa3f1a4e5ad79f3f334b3b202b2173c' +
      '486ea37ce3d397ed034c7f9dfeb15c5e927336d0441f4c4300e2cff0d0900b52d3b4',
  },
  {
    name: 'A.6 zero-length salt/info SHA-1',
    digest: 'sha1',
    ikm: Buffer.alloc(22, 0x0b),
    salt: Buffer.alloc(0),
    info: Buffer.alloc(0),
    l: 42,
    prk: 'da8c8a73c7fa77288ec6f5e7c297786aa0d32d01',
    okm: '0ac1af7002b3d761d1e55298da9d0506b9ae52057220a306e07b6b87e8df21d0ea00033de03984d34918',
  },
  {
    name: 'A.7 salt not provided SHA-1',
    digest: 'sha1',
    ikm: Buffer.alloc(22, 0x0c),
    salt: Buffer.alloc(0),
    info: Buffer.alloc(0),
    l: 42,
    prk: '2adccada18779e7c2077ad2eb19d3f3e731385dd',
    okm: '2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48',
  },
];

describe('HKDF (RFC 5869)', () => {
  it.each(VECTORS)('$name: extract, expand and one-shot match the RFC', (v) => {
    const prk = hkdfExtract(v.digest, v.salt, v.ikm);
    expect(prk.toString('hex')).toBe(v.prk);
    expect(hkdfExpand(v.digest, prk, v.info, v.l).toString('hex')).toBe(v.okm);
    expect(hkdf(v.digest, v.ikm, v.salt, v.info, v.l).toString('hex')).toBe(v.okm);
  });

  it.each([1, 32, 33, 100, 8160])('matches openssl kdf HKDF (all three modes) for L=%i', (l) => {
    const ikm = randomBytes(32);
    const salt = randomBytes(16);
    const info = randomBytes(12);
    const prk = hkdfExtract('sha256', salt, ikm);
    expect(prk.toString('hex')).toBe(opensslHkdf('EXTRACT_ONLY', 'SHA256', ikm, salt, info, 32));
    expect(hkdfExpand('sha256', prk, info, l).toString('hex')).toBe(
      opensslHkdf('EXPAND_ONLY', 'SHA256', prk, salt, info, l),
    );
    expect(hkdf('sha256', ikm, salt, info, l).toString('hex')).toBe(
      opensslHkdf('EXTRACT_AND_EXPAND', 'SHA256', ikm, salt, info, l),
    );
  });

  it('refuses over-long output, short PRK and unknown digests', () => {
    const prk = randomBytes(32);
    expect(() => hkdf('sha256', prk, prk, prk, 255 * 32 + 1)).toThrow(/output length must be an integer in 1\.\.8160/);
    expect(() => hkdfExpand('sha256', prk.subarray(0, 31), Buffer.alloc(0), 16)).toThrow(
      /prk must be at least 32 bytes/,
    );
    expect(() => hkdf('md5' as HkdfDigest, prk, prk, prk, 16)).toThrow(/digest must be one of/);
  });
});
