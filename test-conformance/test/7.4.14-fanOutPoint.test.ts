// TS-0004 7.4.14 <fanOutPoint> (TS-0001 10.2.7.6 - 10.2.7.8): CREATE, UPDATE and DELETE through
// <group>/fopt reach every member and come back aggregated in m2m:agr, each member deciding access.
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.4.14 <fanOutPoint>', {}, (cse) => {
  const world = async () => {
    const ae = await registerAe(cse());
    const post = async (path: string, ty: number, body: unknown, from = ae.aei) => {
      const r = await cse().req('POST', path, { from, ty, body });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
      return Object.values(r.body)[0] as Record<string, any>;
    };
    const m1 = await post(ae.path, 3, { 'm2m:cnt': { rn: 'm1' } });
    const m2 = await post(ae.path, 3, { 'm2m:cnt': { rn: 'm2' } });
    await post(ae.path, 9, { 'm2m:grp': { rn: 'grp', mt: 3, mnm: 5, mid: [m1.ri, m2.ri] } });
    return { ae, m1, m2 };
  };
  const responses = (body: any) => body['m2m:agr']['m2m:rsp'] as Array<{ rsc: number; pc?: any }>;

  clause('7.4.14.2.1', 'CREATE through fopt creates under every member, aggregated in m2m:agr', async () => {
    const { ae } = await world();
    const r = await cse().req('POST', `${ae.path}/grp/fopt`, {
      from: ae.aei,
      ty: 4,
      body: { 'm2m:cin': { con: 'v' } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    expect(responses(r.body).map((x) => x.rsc)).toEqual([2001, 2001]);
    for (const m of ['m1', 'm2'])
      expect((await cse().req('GET', `${ae.path}/${m}/la`, { from: ae.aei })).body['m2m:cin'].con).toBe('v');
  });

  clause('7.4.14.2.3', 'UPDATE through fopt updates every member', async () => {
    const { ae } = await world();
    const r = await cse().req('PUT', `${ae.path}/grp/fopt`, { from: ae.aei, body: { 'm2m:cnt': { lbl: ['x'] } } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    expect(responses(r.body).map((x) => x.rsc)).toEqual([2004, 2004]);
    for (const m of ['m1', 'm2'])
      expect((await cse().req('GET', `${ae.path}/${m}`, { from: ae.aei })).body['m2m:cnt'].lbl).toEqual(['x']);
  });

  clause('7.4.14.2.4', 'DELETE through fopt deletes the members; the group stays', async () => {
    const { ae } = await world();
    const r = await cse().req('DELETE', `${ae.path}/grp/fopt`, { from: ae.aei });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    expect(responses(r.body).map((x) => x.rsc)).toEqual([2002, 2002]);
    expect((await cse().req('GET', `${ae.path}/m1`, { from: ae.aei })).rsc).toBe(4004);
    expect((await cse().req('GET', `${ae.path}/grp`, { from: ae.aei })).rsc).toBe(2000);
  });

  clause('7.4.14.2.1', 'each member decides access: a member the originator may not write answers 4103', async () => {
    const { ae } = await world();
    const other = await registerAe(cse());
    // The other AE may use the group (a policy on it) but not write the members (default policy).
    const acp = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 1,
      body: {
        'm2m:acp': {
          rn: 'grpAcp',
          pv: { acr: [{ acor: [other.aei, ae.aei], acop: 63 }] },
          pvs: { acr: [{ acor: [ae.aei], acop: 63 }] },
        },
      },
    });
    expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
    const link = await cse().req('PUT', `${ae.path}/grp`, {
      from: ae.aei,
      body: { 'm2m:grp': { acpi: [acp.body['m2m:acp'].ri] } },
    });
    expect(link.rsc, JSON.stringify(link.body)).toBe(2004);
    const r = await cse().req('POST', `${ae.path}/grp/fopt`, {
      from: other.aei,
      ty: 4,
      body: { 'm2m:cin': { con: 'intruder' } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    expect(responses(r.body).map((x) => x.rsc)).toEqual([4103, 4103]);
  });
});
