// TS-0004 7.3.3.10 / 7.3.3.11 (announce, de-announce) and 7.4.26 (announced resource types) at a single
// IN-CSE: what it refuses before anything is written. Announcement to a registered MN-CSE is shown in
// test-e2e/test/announcement.test.ts and packages/cse/test/ts0004-7.3.3.10-announcement.test.ts.
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.3.3.10 announcement', {}, (cse) => {
  clause('7.3.3.10', 'announceTo naming a CSE that is not registered gets 4000 and creates nothing', async () => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 3,
      body: { 'm2m:cnt': { rn: 'annc1', at: ['/id-nowhere'] } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(4000);
    expect((await cse().req('GET', `${ae.path}/annc1`, { from: ae.aei })).rsc).toBe(4004);
  });

  clause('7.3.3.10', 'announceTo naming a resource address (not a CSE-ID) gets 5001 NOT_IMPLEMENTED', async () => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 3,
      body: { 'm2m:cnt': { rn: 'annc2', at: ['/id-mn/cse-mn/x'] } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(5001);
  });

  clause('7.3.3.10', 'announceTo on a resource type the CSE does not announce (group) gets 5001', async () => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 9,
      body: { 'm2m:grp': { rn: 'g', mnm: 2, mid: [], at: ['/id-mn'] } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(5001);
  });

  clause('7.3.3.10', 'announcedAttribute naming an attribute that is not Optional Announced gets 4000', async () => {
    const ae = await registerAe(cse());
    const c = await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'c' } } });
    expect(c.rsc).toBe(2001);
    const r = await cse().req('PUT', `${ae.path}/c`, { from: ae.aei, body: { 'm2m:cnt': { aa: ['cni'] } } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(4000);
    expect((await cse().req('GET', `${ae.path}/c`, { from: ae.aei })).body['m2m:cnt'].aa).toBeUndefined();
  });

  clause('7.4.26', 'an AE cannot create an <AEAnnc> (only an announcing CSE, under its <remoteCSE>)', async () => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', '/cse-in', {
      from: ae.aei,
      ty: 10002,
      body: { 'm2m:aeA': { lnk: '/id-mn/Cfake', et: '20991231T235959' } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(4108);
    const under = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 10003,
      body: { 'm2m:cntA': { lnk: '/id-mn/Cfake/c', et: '20991231T235959' } },
    });
    expect(under.rsc, JSON.stringify(under.body)).toBe(4108);
  });
});
