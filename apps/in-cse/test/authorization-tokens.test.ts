// Issue 4 "Must show", role- and token-based access over HTTP (TS-0003 7.3.2.3 - 7.3.2.6, 7.4):
// Role-IDs (rids) confirmed by <role> resources, tokens in the Authorization header (joined by '+'),
// Token IDs (tids) of <token> resources, Local-Token-IDs assigned in X-M2M-ATI and used as ltids.
import { generateKeyPairSync } from 'node:crypto';
import { issueToken, type TokenClaimSet } from '@m2msec/authorization';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, jwkOf, keys, startAuthorizationCse } from './authorization-helpers.js';
import type { InCseProcess } from './harness.js';

let cse: InCseProcess;
let f: ReturnType<typeof fixture>;
const cseEnc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const evil = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeAll(async () => {
  cse = await startAuthorizationCse({
    authorization: {
      tokenIssuers: [{ id: '/id-in/CDas', keys: [jwkOf(keys.das.publicKey)], algorithms: ['ES256'] }],
      tokenDecryption: { key: jwkOf(cseEnc.privateKey), keyManagementAlgorithms: ['ECDH-ES+A256KW'] },
      roleIssuers: ['CAuthority'],
    },
  });
  f = fixture(cse);
  await f.register('Cowner', 'Creader', 'Cother', 'CAuthority');
  // The CSEBase has no acpi and cannot be updated: the administrator (operating the Authorization
  // Authority) creates <role> and <token> resources there; their issuer names the authority.
  await f.container('data');
  await f.container('elsewhere');
});
afterAll(async () => {
  await cse?.stop();
});

const role = (rn: string, from: string, attrs: Record<string, unknown>) =>
  f.call('POST', '/cse-in', {
    from,
    ty: 31,
    body: {
      'm2m:rol': {
        rn,
        rlid: 'reader@aa.m2msec.org',
        tkis: '/id-in/CAuthority',
        tkhd: '/id-in/Creader',
        tknb: '20200101T000000',
        tkna: '20991231T000000',
        ...attrs,
      },
    },
  });

describe('role-based access control (TS-0003 7.4.3)', () => {
  let path: string;
  beforeAll(async () => {
    path = await f.protectedBy('by-role', [{ acor: ['reader@aa.m2msec.org'], acop: 2 }]);
  });

  it('<role> resources are created by the administrator; an ordinary originator may not', async () => {
    expect((await role('r-ok', 'CAdmin', {})).rsc).toBe(2001);
    expect((await role('r-mine', 'Cother', { tkis: '/id-in/Cother' })).rsc).toBe(4103); // no CREATE on the CSEBase
    const bad = await role('r-bad', 'CAdmin', { rlid: 'Reader' });
    expect(bad.rsc).toBe(4000);
    expect(JSON.stringify(bad.body)).toContain('issuerRelativeID@issuer-fqdn');
  });

  it('Role-IDs sent in rids admit the holder of a valid role only', async () => {
    const q = `${path}?rids=reader@aa.m2msec.org`;
    expect((await f.call('GET', path, { from: 'Creader' })).rsc).toBe(4103);
    expect((await f.call('GET', q, { from: 'Creader' })).rsc).toBe(2000);
    expect((await f.call('GET', q, { from: 'Cother' })).rsc).toBe(4103); // not the holder
  });

  it('a role outside its validity window, or from an untrusted issuer, does not count', async () => {
    expect((await role('r-expired', 'CAdmin', { tkhd: '/id-in/Cother', tkna: '20210101T000000' })).rsc).toBe(2001);
    expect((await role('r-rogue', 'CAdmin', { tkhd: '/id-in/Cother', tkis: '/id-in/CRogue' })).rsc).toBe(2001);
    expect((await f.call('GET', `${path}?rids=reader@aa.m2msec.org`, { from: 'Cother' })).rsc).toBe(4103);
  });
});

describe('token-based access (TS-0003 7.3.2.5, 7.3.2.6)', () => {
  const claims = (over: Partial<TokenClaimSet> = {}): TokenClaimSet => ({
    tkvr: '1',
    tkid: `t${Math.random().toString(36).slice(2)}@das.m2msec.org`,
    tkis: '/id-in/CDas',
    tkhd: '//m2msec.org/id-in/Creader',
    tknb: '20200101T000000',
    tkna: '20991231T000000',
    tkau: ['//m2msec.org/id-in'],
    tkps: { pm: [{ ris: ['cse-in/Cowner/data'], pv: { acr: [{ acor: ['all'], acop: 2 }] } }] },
    ...over,
  });
  const sign = (cs: TokenClaimSet, key = keys.das.privateKey) => issueToken(cs, { signingKey: key, alg: 'ES256' });
  const withToken = (from: string, token: string, path = '/cse-in/Cowner/data') =>
    f.call('GET', path, { from, headers: { Authorization: token } });

  it('a valid token grants its privileges and gets a Local-Token-ID (X-M2M-ATI) usable as ltids', async () => {
    expect((await f.call('GET', '/cse-in/Cowner/data', { from: 'Creader' })).rsc).toBe(4103);
    const cs = claims();
    const r = await withToken('Creader', await sign(cs));
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    const ati = r.headers.get('X-M2M-ATI')!;
    expect(ati).toMatch(new RegExp(`^lt[A-Za-z0-9_-]+:${cs.tkid.replace(/\./g, '\\.')}$`));
    const lti = ati.split(':')[0]!;
    expect((await f.call('GET', `/cse-in/Cowner/data?ltids=${lti}`, { from: 'Creader' })).rsc).toBe(2000);
    expect((await f.call('GET', `/cse-in/Cowner/data?ltids=${lti}`, { from: 'Cother' })).rsc).toBe(4103);
    // The permission names one resource.
    expect((await withToken('Creader', await sign(claims()), '/cse-in/Cowner/elsewhere')).rsc).toBe(4103);
  });

  it('several tokens travel in one Authorization header joined by +', async () => {
    const unrelated = await sign(
      claims({ tkps: { pm: [{ ris: ['cse-in/Cowner/elsewhere'], pv: { acr: [{ acor: ['all'], acop: 4 }] } }] } }),
    );
    const r = await withToken('Creader', `${unrelated}+${await sign(claims())}`);
    expect(r.rsc).toBe(2000);
  });

  it('refuses a tampered, an expired, a wrong-holder and a wrong-audience token, saying which', async () => {
    const good = await sign(claims());
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), azp: '/id-in/Cother' })).toString('base64url')}.${s}`;
    const cases: Array<[string, string, string]> = [
      [tampered, 'Cother', 'signature does not verify'],
      [await sign(claims(), evil.privateKey), 'Creader', 'signature does not verify'],
      [await sign(claims({ tknb: '20200101T000000', tkna: '20210101T000000' })), 'Creader', 'expired'],
      [await sign(claims()), 'Cother', 'holder'],
      [await sign(claims({ tkau: ['//m2msec.org/id-mn'] })), 'Creader', 'audience'],
      [await sign(claims({ tkis: '/id-in/CRogue' })), 'Creader', 'not a trusted token issuer'],
    ];
    for (const [token, from, words] of cases) {
      const r = await withToken(from, token);
      expect(r.rsc, words).toBe(4103);
      expect(JSON.stringify(r.body)).toContain(words);
      expect(JSON.stringify(r.body)).not.toContain(token.slice(0, 20)); // the token is never echoed
    }
  });

  it('accepts a nested sign-then-encrypt JWE token for this CSE', async () => {
    const jwe = await issueToken(claims(), {
      signingKey: keys.das.privateKey,
      alg: 'ES256',
      encryptTo: { key: cseEnc.publicKey, alg: 'ECDH-ES+A256KW', enc: 'A256GCM' },
    });
    expect((await withToken('Creader', jwe)).rsc).toBe(2000);
  });

  it('Token IDs (tids) name <token> resources of this Token Repository', async () => {
    const cs = claims({ tkid: 'stored1@das.m2msec.org' });
    const t = await f.call('POST', '/cse-in', {
      from: 'CAdmin',
      ty: 32,
      body: { 'm2m:tk': { rn: 'tok1', tkid: cs.tkid, tkob: await sign(cs) } },
    });
    expect(t.rsc, JSON.stringify(t.body)).toBe(2001);
    expect((await f.call('GET', '/cse-in/Cowner/data?tids=stored1@das.m2msec.org', { from: 'Creader' })).rsc).toBe(
      2000,
    );
    const unknown = await f.call('GET', '/cse-in/Cowner/data?tids=nothere@das.m2msec.org', { from: 'Creader' });
    expect(unknown.rsc).toBe(4103);
    expect(JSON.stringify(unknown.body)).toContain('identifies no <token>');
  });

  it('a token granting a Role-ID admits through a role rule', async () => {
    const path = await f.protectedBy('by-token-role', [{ acor: ['operator@aa.m2msec.org'], acop: 2 }]);
    const token = await sign(claims({ tkps: { pm: [{ rids: ['operator@aa.m2msec.org'] }] } }));
    expect((await withToken('Creader', token, path)).rsc).toBe(2000);
    expect((await f.call('GET', path, { from: 'Creader' })).rsc).toBe(4103);
  });
});
