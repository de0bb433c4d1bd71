// oneM2M JWT tokens (TS-0003 7.3.2.4 - 7.3.2.6): claim mapping, security and content validation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fromJwtClaims,
  issueToken,
  type TokenClaimSet,
  TokenError,
  TokenVerifier,
  toJwtClaims,
  tokenGrants,
} from '../src/index.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };
const now = new Date('2026-06-01T12:00:00Z');

const claims = (over: Partial<TokenClaimSet> = {}): TokenClaimSet => ({
  tkvr: '1',
  tkid: 'tok-1@das.m2msec.org',
  tkis: '/id-in/CDas',
  tkhd: '//m2msec.org/id-in/Cmeter',
  tknb: '20260601T000000',
  tkna: '20260602T000000',
  tkau: ['//m2msec.org/id-in'],
  tkps: { pm: [{ ris: ['cnt1'], pv: { acr: [{ acor: ['all'], acop: 2 }] } }, { rids: ['reader@aa.example.com'] }] },
  ...over,
});

let das: { privateKey: CryptoKey; publicKey: CryptoKey };
let other: { privateKey: CryptoKey; publicKey: CryptoKey };
let cseEnc: { privateKey: CryptoKey; publicKey: CryptoKey };
let verifier: TokenVerifier;

beforeAll(async () => {
  das = (await generateKeyPair('ES256', { extractable: true })) as never;
  other = (await generateKeyPair('ES256')) as never;
  cseEnc = (await generateKeyPair('ECDH-ES+A256KW')) as never;
  verifier = new TokenVerifier({
    idContext: ctx,
    issuers: [{ id: '//m2msec.org/id-in/CDas', keys: [das.publicKey], algorithms: ['ES256'] }],
    decryption: { keys: [cseEnc.privateKey], keyManagementAlgorithms: ['ECDH-ES+A256KW'] },
  });
});

const sign = (cs: TokenClaimSet, key = das.privateKey) => issueToken(cs, { signingKey: key, alg: 'ES256' });
const verify = (t: string, holder = '/id-in/Cmeter') => verifier.verify(t, { holder, now });
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TokenError);
    expect((e as Error).message).not.toMatch(/eyJ/); // the token never appears in a message
    return (e as TokenError).reason;
  }
  throw new Error('token was accepted');
};

describe('claim mapping (TS-0003 Table 7.3.2.6.2-1)', () => {
  it('maps tkid->jti, tkis->iss, tkhd->azp, tknb->nbf, tkna->exp, tkau->aud and back', () => {
    const p = toJwtClaims(claims());
    expect(p).toMatchObject({
      tkvr: '1',
      jti: 'tok-1@das.m2msec.org',
      iss: '/id-in/CDas',
      azp: '//m2msec.org/id-in/Cmeter',
      nbf: Date.UTC(2026, 5, 1) / 1000,
      exp: Date.UTC(2026, 5, 2) / 1000,
      aud: ['//m2msec.org/id-in'],
    });
    expect(p).not.toHaveProperty('tkid');
    expect(fromJwtClaims(p)).toEqual(claims());
  });

  it('refuses claim sets with missing mandatory claims or malformed permissions', () => {
    const p = toJwtClaims(claims());
    expect(() => fromJwtClaims({ ...p, jti: 'no-at-sign' })).toThrow('tokenID');
    expect(() => fromJwtClaims({ ...p, tkvr: undefined })).toThrow('version');
    expect(() => fromJwtClaims({ ...p, tkps: { pm: [{ pv: { acr: [] } }] } })).toThrow('without resourceIDs');
    expect(() => fromJwtClaims({ ...p, tkps: { pm: [{}] } })).toThrow('neither privileges');
  });
});

describe('token validation (TS-0003 7.3.2.5)', () => {
  it('accepts a signed token of a trusted issuer for its holder and compiles its permissions', async () => {
    const t = await verify(await sign(claims()));
    expect(t.claims.tkid).toBe('tok-1@das.m2msec.org');
    expect(t.holder).toBe('/id-in/Cmeter');
    const onCnt1 = tokenGrants([t], ['cnt1', 'cse-in/meter/cnt1']);
    expect(onCnt1.privileges).toHaveLength(1);
    expect(onCnt1.privileges[0]!.permits({ originator: '/id-in/Cmeter', operation: 2, authenticated: false })).toBe(
      true,
    );
    expect(onCnt1.roleIds).toEqual(['reader@aa.example.com']);
    const elsewhere = tokenGrants([t], ['cnt2']);
    expect(elsewhere.privileges).toHaveLength(0);
    expect(elsewhere.roleIds).toEqual(['reader@aa.example.com']); // no ris: roles apply anywhere
  });

  it('refuses a tampered token', async () => {
    const token = await sign(claims());
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...toJwtClaims(claims()), azp: '/id-in/Cmallory' })).toString(
      'base64url',
    );
    expect(await refusal(verify(`${h}.${forged}.${s}`, '/id-in/Cmallory'))).toBe('bad-signature');
    const flipped = s!.slice(0, 10) + (s![10] === 'A' ? 'B' : 'A') + s!.slice(11);
    expect(await refusal(verify(`${h}.${p}.${flipped}`))).toBe('bad-signature');
  });

  it('refuses expired and not-yet-valid tokens', async () => {
    expect(await refusal(verify(await sign(claims({ tknb: '20260501T000000', tkna: '20260601T115959' }))))).toBe(
      'expired',
    );
    expect(await refusal(verify(await sign(claims({ tknb: '20260601T120100', tkna: '20260701T000000' }))))).toBe(
      'not-yet-valid',
    );
  });

  it('refuses a token held by another originator', async () => {
    expect(await refusal(verify(await sign(claims()), '/id-in/Cother'))).toBe('wrong-holder');
  });

  it('refuses a token whose audience does not name this CSE; accepts wildcard and absent audiences', async () => {
    expect(await refusal(verify(await sign(claims({ tkau: ['//m2msec.org/id-mn'] }))))).toBe('wrong-audience');
    expect((await verify(await sign(claims({ tkau: ['//*/id-in'] })))).claims.tkau).toEqual(['//*/id-in']);
    expect((await verify(await sign(claims({ tkau: undefined })))).claims.tkau).toBeUndefined();
  });

  it('refuses untrusted issuers, keys of another issuer, alg none and unpermitted algorithms', async () => {
    expect(await refusal(verify(await sign(claims({ tkis: '/id-in/CEvil' }))))).toBe('untrusted-issuer');
    expect(await refusal(verify(await sign(claims(), other.privateKey)))).toBe('bad-signature');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(toJwtClaims(claims()))).toString('base64url')}.`;
    expect(await refusal(verify(none))).toBe('unsupported');
    const hs = await new SignJWT(toJwtClaims(claims()))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new Uint8Array(32));
    expect(await refusal(verify(hs))).toBe('unsupported');
    const noTyp = await new SignJWT(toJwtClaims(claims())).setProtectedHeader({ alg: 'ES256' }).sign(das.privateKey);
    expect(await refusal(verify(noTyp))).toBe('malformed');
    expect(await refusal(verify('not.a-token'))).toBe('malformed');
  });

  it('accepts a nested sign-then-encrypt JWE for this CSE and refuses a tampered or encryption-only one', async () => {
    const jwe = await issueToken(claims(), {
      signingKey: das.privateKey,
      alg: 'ES256',
      encryptTo: { key: cseEnc.publicKey, alg: 'ECDH-ES+A256KW', enc: 'A256GCM' },
    });
    expect(jwe.split('.')).toHaveLength(5);
    expect((await verify(jwe)).claims.tkid).toBe('tok-1@das.m2msec.org');
    const parts = jwe.split('.');
    parts[3] = parts[3]!.slice(0, 5) + (parts[3]![5] === 'A' ? 'B' : 'A') + parts[3]!.slice(6);
    expect(await refusal(verify(parts.join('.')))).toBe('bad-signature');
    const { CompactEncrypt } = await import('jose');
    const encOnly = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(toJwtClaims(claims()))))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', typ: 'JWT' })
      .encrypt(cseEnc.publicKey);
    expect(await refusal(verify(encOnly))).toBe('unsupported');
  });

  it('refuses a token whose privileges are not valid access-control rules', async () => {
    const bad = claims({ tkps: { pm: [{ ris: ['cnt1'], pv: { acr: [{ acor: ['all'], acop: 99 }] } }] } });
    expect(await refusal(verify(await sign(bad)))).toBe('bad-claims');
  });
});

describe('cross-check with openssl', () => {
  it('verifies an ES256 JWT whose signature openssl made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-jwt-'));
    writeFileSync(join(dir, 'key.pem'), await exportPKCS8(das.privateKey));
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(toJwtClaims(claims()))).toString('base64url');
    writeFileSync(join(dir, 'input'), `${header}.${payload}`);
    const r = spawnSync('openssl', ['dgst', '-sha256', '-sign', join(dir, 'key.pem'), join(dir, 'input')]);
    expect(r.status, r.stderr.toString()).toBe(0);
    // openssl gives a DER ECDSA-Sig-Value; JWS ES256 wants r || s, 32 bytes each (RFC 7518 3.4).
    const der = r.stdout;
    let i = 2;
    const int = () => {
      const len = der[i + 1]!;
      const v = der.subarray(i + 2, i + 2 + len);
      i += 2 + len;
      return Buffer.concat([Buffer.alloc(32), v.subarray(v.length > 32 ? v.length - 32 : 0)]).subarray(-32);
    };
    const sig = Buffer.concat([int(), int()]).toString('base64url');
    expect((await verify(`${header}.${payload}.${sig}`)).claims.tkis).toBe('/id-in/CDas');
    // And openssl verifies what jose signed for the DAS.
    const token = await sign(claims());
    const [h, p, s] = token.split('.');
    const raw = Buffer.from(s!, 'base64url');
    const derInt = (b: Buffer) => {
      let v = b;
      while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
      if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
      return Buffer.concat([Buffer.from([2, v.length]), v]);
    };
    const body = Buffer.concat([derInt(raw.subarray(0, 32)), derInt(raw.subarray(32))]);
    writeFileSync(join(dir, 'sig.der'), Buffer.concat([Buffer.from([0x30, body.length]), body]));
    writeFileSync(join(dir, 'input2'), `${h}.${p}`);
    const jwk = (await exportJWK(das.publicKey)) as JWK;
    const { createPublicKey } = await import('node:crypto');
    writeFileSync(
      join(dir, 'pub.pem'),
      createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }),
    );
    const v = spawnSync('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'pub.pem'),
      '-signature',
      join(dir, 'sig.der'),
      join(dir, 'input2'),
    ]);
    expect(v.stdout.toString()).toContain('Verified OK');
  });
});
