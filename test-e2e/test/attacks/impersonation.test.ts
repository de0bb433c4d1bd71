// Attack family: impersonation (TS-0003 8.2.2.2, 7.1.1; TS-0001 7.2 ID forms). An AE holding its own
// certificate (SAN m2m://m2msec.org/id-in/Cmallory) names another AE (Cvictim) as originator in every
// form an AE-ID can take: CSE-relative (Cvictim), SP-relative (/id-in/Cvictim), absolute
// (//m2msec.org/id-in/Cvictim), and the administrator's ID. The IN-CSE compares the originator with
// the identities bound to the association and refuses a CSE-relative foreign ID with 4106
// (ORIGINATOR_HAS_NOT_REGISTERED as that originator on this association); an AE sends its AE-ID-Stem
// to its registrar (TS-0004 7.3.2.1), so the SP-relative and absolute forms are refused with 4000 before
// any lookup - for its own ID as well, which shows no form reaches another AE's resources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

let t: SecureTarget;

beforeAll(async () => {
  t = await startSecureTarget({ aes: ['Cvictim', 'Cmallory'] });
  const r = await t.as('Cvictim', 'POST', '/cse-in/Cvictim', { ty: 3, body: { 'm2m:cnt': { rn: 'box' } } });
  expect(r.rsc).toBe(2001);
});
afterAll(async () => t?.stop());

const forms = [
  ['CSE-relative', 'Cvictim', 4106],
  ['SP-relative', '/id-in/Cvictim', 4000],
  ['absolute', '//m2msec.org/id-in/Cvictim', 4000],
  ['administrator', 'CAdmin', 4106],
  ['SP-relative administrator', '/id-in/CAdmin', 4000],
] as const;

describe('impersonation over another AE association', () => {
  for (const [form, id, expected] of forms) {
    it(`From in ${form} form (${id}) is refused on RETRIEVE, CREATE and DELETE`, async () => {
      const get = await t.as('Cmallory', 'GET', '/cse-in/Cvictim/box', { from: id });
      const post = await t.as('Cmallory', 'POST', '/cse-in/Cvictim/box', {
        from: id,
        ty: 4,
        body: { 'm2m:cin': { con: 'forged' } },
      });
      const del = await t.as('Cmallory', 'DELETE', '/cse-in/Cvictim/box', { from: id });
      for (const r of [get, post, del]) expect([r.rsc, form]).toEqual([expected, form]);
    });
  }

  it('the victim is untouched: its container exists and holds no instance', async () => {
    const r = await t.as('Cvictim', 'GET', '/cse-in/Cvictim/box');
    expect(r.rsc).toBe(2000);
    expect(r.body['m2m:cnt'].cni).toBe(0);
  });

  it('the attacker acting as itself is only refused by access control (4103), not authenticated away', async () => {
    const r = await t.as('Cmallory', 'GET', '/cse-in/Cvictim/box');
    expect(r.rsc).toBe(4103);
  });

  it('registering a second AE under the victim ID from the attacker association is refused', async () => {
    const r = await t.as('Cmallory', 'POST', '/cse-in', {
      from: 'Cvictim',
      ty: 2,
      body: { 'm2m:ae': { rn: 'Cvictim2', api: 'Nattack', rr: true, srv: ['3'] } },
    });
    expect(r.rsc).toBe(4106);
  });

  it('the SP-relative and absolute forms of its own ID are refused alike (4000): a form rule, not a lookup', async () => {
    for (const from of ['/id-in/Cmallory', '//m2msec.org/id-in/Cmallory'])
      expect((await t.as('Cmallory', 'GET', '/cse-in/Cmallory', { from })).rsc).toBe(4000);
    expect((await t.as('Cmallory', 'GET', '/cse-in/Cmallory')).rsc).toBe(2000);
  });
});
