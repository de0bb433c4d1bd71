// Attack family: token forgery (TS-0003 7.3.2.6: JWT tokens, signed by a configured token issuer).
// The IN-CSE trusts one issuer (/id-in/CDas) with an RSA public key and RS256 only. The attacker, holding
// only public material, forges tokens granting itself RETRIEVE on a container it may not read: an
// unsecured JWT (alg "none"), an HS256 JWT whose HMAC key is the issuer's public key (HS/RS confusion),
// an RS256 JWT signed with its own key that carries that key in the header (jwk, jku, x5c), and a
// token with the right signature but a header swapped to none. Every one answers 4103 and grants
// nothing; a token the issuer really signed grants (control), so the refusals are the verifier's.
import { createHmac, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

const issuer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const issuerJwk = issuer.publicKey.export({ format: 'jwk' });
const issuerPem = issuer.publicKey.export({ format: 'pem', type: 'spki' }) as string;
const path = '/cse-in/Cowner/data';
let t: SecureTarget;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function claims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    tkvr: '1',
    jti: `t${randomBytes(6).toString('hex')}@das.m2msec.org`,
    iss: '/id-in/CDas',
    azp: '//m2msec.org/id-in/Cmallory',
    nbf: now - 60,
    exp: now + 3600,
    aud: ['//m2msec.org/id-in'],
    tkps: { pm: [{ ris: ['cse-in/Cowner/data'], pv: { acr: [{ acor: ['all'], acop: 2 }] } }] },
  };
}

function rs256(header: Record<string, unknown>, key = issuer.privateKey): string {
  const input = `${b64(header)}.${b64(claims())}`;
  const sig = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${sig}`;
}

const withToken = (token: string) => t.as('Cmallory', 'GET', path, { headers: { Authorization: token } });

beforeAll(async () => {
  t = await startSecureTarget({
    aes: ['Cowner', 'Cmallory'],
    config: {
      authorization: {
        locations: {},
        roleIssuers: [],
        dynamicGrantLifetimeMs: 300_000,
        tokenIssuers: [{ id: '/id-in/CDas', keys: [issuerJwk], algorithms: ['RS256'] }],
      },
    },
  });
  const acp = await t.as('Cowner', 'POST', '/cse-in/Cowner', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'data-acp',
        pv: { acr: [{ acor: ['Cowner'], acop: 63 }] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc).toBe(2001);
  const cnt = await t.as('Cowner', 'POST', '/cse-in/Cowner', {
    ty: 3,
    body: { 'm2m:cnt': { rn: 'data', acpi: [acp.body['m2m:acp'].ri] } },
  });
  expect(cnt.rsc).toBe(2001);
});
afterAll(async () => t?.stop());

describe('token forgery', () => {
  it('control: without a token 4103; with a token the issuer signed 2000', async () => {
    expect((await t.as('Cmallory', 'GET', path)).rsc).toBe(4103);
    const r = await withToken(rs256({ alg: 'RS256', typ: 'JWT' }));
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
  });

  const forgeries: Array<[string, () => string]> = [
    ['alg none, empty signature', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['alg None (case variant)', () => `${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.`],
    [
      'alg none with the real signature kept',
      () => {
        const [, p, s] = rs256({ alg: 'RS256', typ: 'JWT' }).split('.');
        return `${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`;
      },
    ],
    [
      'HS256 keyed with the issuer public key (PEM)',
      () => {
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
        return `${input}.${createHmac('sha256', issuerPem).update(input).digest('base64url')}`;
      },
    ],
    [
      'HS256 keyed with the issuer public key (JWK n)',
      () => {
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
        return `${input}.${createHmac('sha256', String(issuerJwk.n)).update(input).digest('base64url')}`;
      },
    ],
    [
      'RS256 signed by the attacker with its key embedded as jwk',
      () => rs256({ alg: 'RS256', typ: 'JWT', jwk: attacker.publicKey.export({ format: 'jwk' }) }, attacker.privateKey),
    ],
    [
      'RS256 signed by the attacker naming a jku',
      () => rs256({ alg: 'RS256', typ: 'JWT', jku: 'http://127.0.0.1:1/keys.json' }, attacker.privateKey),
    ],
    ['RS256 signed by the attacker (no key hint)', () => rs256({ alg: 'RS256', typ: 'JWT' }, attacker.privateKey)],
  ];

  for (const [name, forge] of forgeries) {
    it(`${name}: 4103, nothing granted`, async () => {
      const token = forge();
      const r = await withToken(token);
      expect(r.rsc).toBe(4103);
      expect(r.body?.['m2m:cnt']).toBeUndefined();
      expect(r.headers['x-m2m-ati']).toBeUndefined();
      expect(JSON.stringify(r.body)).not.toContain(token.slice(0, 24));
    });
  }

  it('a forged token beside a real one for another resource does not widen the grant', async () => {
    const forged = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    const r = await t.as('Cmallory', 'GET', '/cse-in/Cowner', { headers: { Authorization: forged } });
    expect(r.rsc).toBe(4103);
  });
});
