// RFC 6238 Appendix B test vectors (8 digits; SHA-1, SHA-256, SHA-512 seeds), and the console's
// verification rules: ±1 step, a step used once only, 6 digits.
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totpStep, verifyTotp } from '../src/totp.js';

const seed1 = Buffer.from('12345678901234567890');
const seed256 = Buffer.from('12345678901234567890123456789012');
const seed512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');
const vectors: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('T=%i: the Appendix B codes', (t, sha1, sha256, sha512) => {
    expect(hotp(seed1, totpStep(t), 8, 'sha1')).toBe(sha1);
    expect(hotp(seed256, totpStep(t), 8, 'sha256')).toBe(sha256);
    expect(hotp(seed512, totpStep(t), 8, 'sha512')).toBe(sha512);
  });

  it('base32 round-trips (RFC 4648)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
  });

  it('accepts the current step and one either side, once each; refuses others', () => {
    const secret = base32Encode(seed1);
    const t = 1234567890;
    const code = (step: number) => hotp(seed1, step);
    const now = totpStep(t);
    expect(verifyTotp(secret, code(now), t)).toBe(now);
    expect(verifyTotp(secret, code(now - 1), t)).toBe(now - 1);
    expect(verifyTotp(secret, code(now + 1), t)).toBe(now + 1);
    expect(verifyTotp(secret, code(now - 2), t)).toBeUndefined();
    expect(verifyTotp(secret, code(now), t, now)).toBeUndefined(); // replay of a used code
    expect(verifyTotp(secret, '12345', t)).toBeUndefined();
    expect(verifyTotp(secret, 'abcdef', t)).toBeUndefined();
  });
});
