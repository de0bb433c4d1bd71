// RFC 2617 / RFC 3310 digest values recomputed step by step with `openssl dgst -md5`.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestHa1, digestHa2, digestResponse, digestRspauth, parseDigestHeader } from '../src/index.js';
import { opensslMd5 } from './helpers/tools.js';

const cat = (...parts: (string | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

describe('AKAv1-MD5 digest against openssl dgst -md5', () => {
  it.each(['auth', 'auth-int'] as const)(
    'qop=%s: HA1 with the binary RES as password, HA2, response, rspauth',
    (qop) => {
      const res = randomBytes(8);
      res[3] = 0x3a; // a ':' byte inside RES must not confuse anything: the password is raw octets
      const input = {
        username: 'user1@ims.mnc001.mcc001.3gppnetwork.org',
        realm: 'bsf.mef.example.com',
        password: res,
        nonce: randomBytes(32).toString('base64'),
        nc: '00000001',
        cnonce: randomBytes(16).toString('hex'),
        qop,
        uri: '/bsf',
      };
      const ha1 = opensslMd5(cat(`${input.username}:${input.realm}:`, res));
      expect(digestHa1(input.username, input.realm, res)).toBe(ha1);
      const ha2 = qop === 'auth' ? opensslMd5(`GET:${input.uri}`) : opensslMd5(`GET:${input.uri}:${opensslMd5('')}`);
      expect(digestHa2('GET', input.uri, qop)).toBe(ha2);
      const response = opensslMd5(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${qop}:${ha2}`);
      expect(digestResponse(input, 'GET')).toBe(response);

      const body = Buffer.from('<BootstrappingInfo/>');
      const ha2r = qop === 'auth' ? opensslMd5(`:${input.uri}`) : opensslMd5(`:${input.uri}:${opensslMd5(body)}`);
      expect(digestRspauth(input, body)).toBe(
        opensslMd5(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${qop}:${ha2r}`),
      );

      // RFC 3310 3.4: the synchronisation-failure answer uses an empty password.
      const empty = { ...input, password: new Uint8Array(0) };
      const ha1Empty = opensslMd5(`${input.username}:${input.realm}:`);
      expect(digestResponse(empty, 'GET')).toBe(
        opensslMd5(`${ha1Empty}:${input.nonce}:${input.nc}:${input.cnonce}:${qop}:${ha2}`),
      );
    },
  );

  it('RFC 2617 3.5 example (MD5, qop=auth) as a published known answer', () => {
    const input = {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: Buffer.from('Circle Of Life'),
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      nc: '00000001',
      cnonce: '0a4f113b',
      qop: 'auth' as const,
      uri: '/dir/index.html',
    };
    expect(digestResponse(input, 'GET')).toBe('6629fae49393a05397450978507c4ef1');
  });
});

describe('Digest header parsing', () => {
  it('reads tokens and quoted strings with escapes, case-insensitive names', () => {
    const p = parseDigestHeader('Digest USERNAME="a\\"b", nc=00000001 ,qop=auth,  realm="r, s"', 'h');
    expect([...p]).toEqual([
      ['username', 'a"b'],
      ['nc', '00000001'],
      ['qop', 'auth'],
      ['realm', 'r, s'],
    ]);
  });

  it.each([
    ['Basic abc', /scheme must be Digest/],
    ['Digest username="a", username="b"', /appears twice/],
    ['Digest username="a', /unterminated/],
    ['Digest username', /has no value/],
    ['Digest username="a",', /trailing comma/],
    ['Digest username="a" realm="b"', /unexpected characters/],
    ['Digest =x', /expected a parameter name/],
    ['Digest a=@', /invalid value/],
    ['Digest a="x\u0001"', /control character/],
    [`Digest a="${'x'.repeat(9000)}"`, /longer than/],
  ])('%s is refused', (header, why) => {
    expect(() => parseDigestHeader(header, 'Authorization header')).toThrow(why);
  });
});
