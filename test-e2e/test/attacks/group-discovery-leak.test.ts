// Attack family: leaks through group fan-out and discovery (TS-0001 10.2.7.x group member access,
// 9.6.13 <group>, 10.2.6 discovery; TS-0003 7.1: every member request and every discovered resource is
// checked against the originator's own privileges). Cowner holds a public container and a secret one;
// Creader may RETRIEVE/DISCOVER the public one only. Creader builds a group naming both and fans a
// RETRIEVE out through it, and discovers from the CSEBase and the owner AE: nothing of the secret
// container (content, labels, even its ID in a discovery result) reaches it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

let t: SecureTarget;
let secretRi: string;
let publicRi: string;
const SECRET_LABEL = 'secret-label-7f3a';

async function container(rn: string, acpi: string[], lbl: string[]): Promise<string> {
  const r = await t.as('Cowner', 'POST', '/cse-in/Cowner', { ty: 3, body: { 'm2m:cnt': { rn, acpi, lbl } } });
  expect(r.rsc).toBe(2001);
  const cin = await t.as('Cowner', 'POST', `/cse-in/Cowner/${rn}`, {
    ty: 4,
    body: { 'm2m:cin': { con: `${rn}-content`, lbl } },
  });
  expect(cin.rsc).toBe(2001);
  return r.body['m2m:cnt'].ri;
}

async function acp(rn: string, acr: object[]): Promise<string> {
  const r = await t.as('Cowner', 'POST', '/cse-in/Cowner', {
    ty: 1,
    body: { 'm2m:acp': { rn, pv: { acr }, pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] } } },
  });
  expect(r.rsc).toBe(2001);
  return r.body['m2m:acp'].ri;
}

beforeAll(async () => {
  t = await startSecureTarget({ aes: ['Cowner', 'Creader'] });
  const owner = { acor: ['Cowner'], acop: 63 };
  // RETRIEVE (2) + DISCOVER (32) for the reader on the public container only.
  const pub = await acp('pub-acp', [owner, { acor: ['Creader'], acop: 2 + 32 }]);
  const sec = await acp('sec-acp', [owner]);
  publicRi = await container('public', [pub], ['shared']);
  secretRi = await container('secret', [sec], [SECRET_LABEL]);
});
afterAll(async () => t?.stop());

describe('group fan-out', () => {
  const group = '/cse-in/Creader/both';

  it('the group naming both is created: members are checked per request, not at creation', async () => {
    const r = await t.as('Creader', 'POST', '/cse-in/Creader', {
      ty: 9,
      body: { 'm2m:grp': { rn: 'both', mt: 3, mnm: 10, mid: [publicRi, secretRi] } },
    });
    expect(r.rsc).toBe(2001);
  });

  it('a fanned-out RETRIEVE answers 2000 with content for the public member and a bare 4103 for the secret one', async () => {
    const r = await t.as('Creader', 'GET', `${group}/fopt/la`);
    expect(r.rsc).toBe(2000);
    const rsps: any[] = r.body['m2m:agr']['m2m:rsp'];
    const of = (ri: string) => rsps.find((x) => x.fr === ri);
    expect(rsps).toHaveLength(2);
    expect(of(publicRi)).toMatchObject({ rsc: 2000, pc: { 'm2m:cin': { con: 'public-content' } } });
    expect(of(secretRi).rsc).toBe(4103);
    expect(of(secretRi).pc['m2m:cin']).toBeUndefined();
    const text = JSON.stringify(r.body);
    expect(text).not.toContain('secret-content');
    expect(text).not.toContain(SECRET_LABEL);
  });

  it('the group resource itself carries nothing of the secret member', async () => {
    const r = await t.as('Creader', 'GET', group);
    expect(r.rsc).toBe(2000);
    expect(JSON.stringify(r.body)).not.toContain(SECRET_LABEL);
  });
});

describe('discovery', () => {
  for (const [where, path] of [
    ['the CSEBase', '/cse-in?fu=1'],
    ['the owner AE', '/cse-in/Cowner?fu=1'],
    ['by the secret label', `/cse-in?fu=1&lbl=${SECRET_LABEL}`],
    ['content instances', '/cse-in?fu=1&ty=4'],
  ] as const) {
    it(`from ${where}: the secret container and its children are not in the result`, async () => {
      const r = await t.as('Creader', 'GET', path);
      expect([2000, 4103]).toContain(r.rsc);
      const text = JSON.stringify(r.body);
      expect(text).not.toContain('/secret');
      expect(text).not.toContain(secretRi);
    });
  }

  it('control: the public container is discovered by the reader; the secret one by the owner', async () => {
    const reader = await t.as('Creader', 'GET', '/cse-in/Cowner?fu=1&ty=3');
    expect(reader.rsc).toBe(2000);
    expect(reader.body['m2m:uril']).toEqual([expect.stringMatching(/Cowner\/public$/)]);
    const owner = await t.as('Cowner', 'GET', '/cse-in/Cowner?fu=1&ty=3');
    expect(JSON.stringify(owner.body)).toContain('secret');
  });

  it('a RETRIEVE of the secret container and its latest instance is 4103', async () => {
    expect((await t.as('Creader', 'GET', '/cse-in/Cowner/secret')).rsc).toBe(4103);
    expect((await t.as('Creader', 'GET', '/cse-in/Cowner/secret/la')).rsc).toBe(4103);
  });
});
