// Attack family: privilege escalation through an <accessControlPolicy>'s selfPrivileges (TS-0001
// 9.6.2.3; TS-0003 7.1.4-7.1.5). Creader holds RETRIEVE and UPDATE on Cowner's container through
// privileges (pv) but is not in the policy's selfPrivileges (pvs). It tries to widen its rights: edit
// the policy, re-point the container's acpi at a policy of its own, delete the policy, or create a
// policy under the owner. Every attempt is 4103 and leaves the policy and the container as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

let t: SecureTarget;
let acpRi: string;
let acpPath: string;
let ownAcpRi: string;
const box = '/cse-in/Cowner/box';
const OWNER_RULE = { acor: ['Cowner'], acop: 63 };

beforeAll(async () => {
  t = await startSecureTarget({ aes: ['Cowner', 'Creader'] });
  const acp = await t.as('Cowner', 'POST', '/cse-in/Cowner', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'box-acp',
        pv: { acr: [{ acor: ['Creader'], acop: 2 + 4 }, OWNER_RULE] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc).toBe(2001);
  acpRi = acp.body['m2m:acp'].ri;
  acpPath = '/cse-in/Cowner/box-acp';
  expect(
    (await t.as('Cowner', 'POST', '/cse-in/Cowner', { ty: 3, body: { 'm2m:cnt': { rn: 'box', acpi: [acpRi] } } })).rsc,
  ).toBe(2001);
  // The attacker's own policy, granting itself everything, under its own AE (it may create there).
  const own = await t.as('Creader', 'POST', '/cse-in/Creader', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'mine',
        pv: { acr: [{ acor: ['Creader'], acop: 63 }] },
        pvs: { acr: [{ acor: ['Creader'], acop: 63 }] },
      },
    },
  });
  expect(own.rsc).toBe(2001);
  ownAcpRi = own.body['m2m:acp'].ri;
});
afterAll(async () => t?.stop());

describe('escalation through selfPrivileges', () => {
  it('control: the granted privileges work (RETRIEVE and UPDATE of a plain attribute)', async () => {
    expect((await t.as('Creader', 'GET', box)).rsc).toBe(2000);
    expect((await t.as('Creader', 'PUT', box, { body: { 'm2m:cnt': { lbl: ['touched'] } } })).rsc).toBe(2004);
  });

  it('adding itself to the policy privileges with all operations: 4103', async () => {
    const r = await t.as('Creader', 'PUT', acpPath, {
      body: { 'm2m:acp': { pv: { acr: [{ acor: ['Creader'], acop: 63 }] } } },
    });
    expect(r.rsc).toBe(4103);
  });

  it('adding itself to the selfPrivileges: 4103', async () => {
    const r = await t.as('Creader', 'PUT', acpPath, {
      body: { 'm2m:acp': { pvs: { acr: [{ acor: ['Creader', 'Cowner'], acop: 63 }] } } },
    });
    expect(r.rsc).toBe(4103);
  });

  it('re-pointing the container acpi at its own policy (UPDATE privilege is not enough): 4103', async () => {
    const r = await t.as('Creader', 'PUT', box, { body: { 'm2m:cnt': { acpi: [ownAcpRi] } } });
    expect(r.rsc).toBe(4103);
  });

  it('adding its own policy beside the owner one: 4103', async () => {
    const r = await t.as('Creader', 'PUT', box, { body: { 'm2m:cnt': { acpi: [acpRi, ownAcpRi] } } });
    expect(r.rsc).toBe(4103);
  });

  it('deleting the policy, or retrieving it, is refused: 4103', async () => {
    expect((await t.as('Creader', 'DELETE', acpPath)).rsc).toBe(4103);
    expect((await t.as('Creader', 'GET', acpPath)).rsc).toBe(4103);
  });

  it('creating a policy under the owner AE: 4103', async () => {
    const r = await t.as('Creader', 'POST', '/cse-in/Cowner', {
      ty: 1,
      body: { 'm2m:acp': { rn: 'planted', pv: { acr: [] }, pvs: { acr: [{ acor: ['Creader'], acop: 63 }] } } },
    });
    expect(r.rsc).toBe(4103);
  });

  it('afterwards the policy and the container are as the owner left them, and DELETE stays refused', async () => {
    const acp = await t.as('Cowner', 'GET', acpPath);
    expect(acp.rsc).toBe(2000);
    expect(acp.body['m2m:acp'].pv.acr).toEqual([{ acor: ['Creader'], acop: 6 }, OWNER_RULE]);
    expect(acp.body['m2m:acp'].pvs.acr).toEqual([{ acor: ['Cowner'], acop: 63 }]);
    const cnt = await t.as('Cowner', 'GET', box);
    expect(cnt.body['m2m:cnt'].acpi).toEqual([acpRi]);
    expect((await t.as('Creader', 'DELETE', box)).rsc).toBe(4103);
  });

  it('control: the owner, who is in selfPrivileges, may change the policy', async () => {
    const r = await t.as('Cowner', 'PUT', acpPath, {
      body: { 'm2m:acp': { pv: { acr: [{ acor: ['Creader'], acop: 2 }, OWNER_RULE] } } },
    });
    expect(r.rsc).toBe(2004);
  });
});
