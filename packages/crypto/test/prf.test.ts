import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoInputError, pSha256, tls12Prf } from '../src/index.js';
import { fromHex, opensslTls1Prf } from './helpers/tools.js';

describe('TLS 1.2 PRF / P_SHA256 (RFC 5246 section 5)', () => {
  it('matches the published TLS 1.2 PRF SHA-256 test vector', () => {
    const out = tls12Prf(
      fromHex('9bbe436ba940f017b17652849a71db35'),
      'test label',
      fromHex('a0ba9f936cda311827a6f796ffd5198c'),
      100,
    );
    expect(out.toString('hex')).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af' +
        '0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff7018734' +
        '7b66',
    );
  });

  it('P_SHA256(secret, label || seed) equals the PRF', () => {
    const secret = randomBytes(32);
    const seed = randomBytes(20);
    expect(pSha256(secret, Buffer.concat([Buffer.from('key expansion'), seed]), 77)).toEqual(
      tls12Prf(secret, 'key expansion', seed, 77),
    );
  });

  it.each([1, 16, 31, 32, 33, 48, 64, 100, 255])('matches openssl kdf TLS1-PRF for %i bytes', (len) => {
    const secret = randomBytes(1 + (len % 47));
    const seed = randomBytes(1 + (len % 29));
    expect(tls12Prf(secret, 'EXPORTER-oneM2M-Bootstrap', seed, len).toString('hex')).toBe(
      opensslTls1Prf(secret, 'EXPORTER-oneM2M-Bootstrap', seed, len),
    );
  });

  it('matches openssl for a DerivedKey-style expansion P_SHA256(K_RS-TA, identity)', () => {
    const kRsTa = randomBytes(32);
    const identity = Buffer.from('C-sensor42@example.com#seq=281474976710655', 'utf8');
    expect(pSha256(kRsTa, identity, 32).toString('hex')).toBe(opensslTls1Prf(kRsTa, '', identity, 32));
  });

  it('returns a prefix of a longer output', () => {
    const secret = randomBytes(16);
    const seed = randomBytes(16);
    expect(pSha256(secret, seed, 40)).toEqual(pSha256(secret, seed, 100).subarray(0, 40));
  });

  it('rejects bad lengths, types and labels with precise errors', () => {
    const k = randomBytes(16);
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 21]) {
      expect(() => pSha256(k, k, bad)).toThrow(/output length must be an integer/);
    }
    expect(() => pSha256('secret' as unknown as Uint8Array, k, 10)).toThrow(CryptoInputError);
    expect(() => tls12Prf(k, 'label\u00e9', k, 10)).toThrow(/printable ASCII/);
  });
});
