// TS-0004 7.4.5 <AE>: registration checks (7.4.5.2.1).
import { expect } from 'vitest';
import { clause, conformance } from '../src/harness.js';

conformance('7.4.5 <AE>', {}, (cse) => {
  clause('7.4.5.2.1', 'a second AE with a resourceName already used under the CSEBase gets 4105 CONFLICT', async () => {
    const a = await cse().req('POST', '/cse-in', {
      from: 'Cdup1',
      ty: 2,
      body: { 'm2m:ae': { rn: 'dupname', api: 'Nx', rr: false, srv: ['3'] } },
    });
    expect(a.rsc).toBe(2001);
    const b = await cse().req('POST', '/cse-in', {
      from: 'Cdup2',
      ty: 2,
      body: { 'm2m:ae': { rn: 'dupname', api: 'Nx', rr: false, srv: ['3'] } },
    });
    expect(b.rsc, JSON.stringify(b.body)).toBe(4105);
  });

  clause('7.4.5.2.1', 'a registration with an AE-ID already registered gets 4117', async () => {
    const a = await cse().req('POST', '/cse-in', {
      from: 'Ctwice',
      ty: 2,
      body: { 'm2m:ae': { rn: 'twice1', api: 'Nx', rr: false, srv: ['3'] } },
    });
    expect(a.rsc).toBe(2001);
    const b = await cse().req('POST', '/cse-in', {
      from: 'Ctwice',
      ty: 2,
      body: { 'm2m:ae': { rn: 'twice2', api: 'Nx', rr: false, srv: ['3'] } },
    });
    expect(b.rsc).toBe(4117);
  });

  clause('7.4.5.2.1', "Release 3: an App-ID not starting with 'R', 'r' or 'N' gets 4000", async () => {
    const r = await cse().req('POST', '/cse-in', {
      from: 'Capi3',
      ty: 2,
      body: { 'm2m:ae': { rn: 'api3', api: 'Xapp', rr: false, srv: ['3'] } },
    });
    expect(r.rsc).toBe(4000);
  });

  clause('7.4.5.2.1', 'Release 2a: the App-ID first-letter rule does not apply (it came with Release 3)', async () => {
    const r = await cse().req('POST', '/cse-in', {
      from: 'Capi2',
      ty: 2,
      headers: { 'X-M2M-RVI': '2a' },
      body: { 'm2m:ae': { rn: 'api2', api: 'app2', rr: false, srv: ['2a'] } },
    });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
  });

  clause('7.3.3.3', 'creator (cr) set to NULL on CREATE holds the originator as it was sent in From', async () => {
    await cse().req('POST', '/cse-in', {
      from: 'Ccrae',
      ty: 2,
      body: { 'm2m:ae': { rn: 'crae', api: 'Nx', rr: false, srv: ['3'] } },
    });
    const r = await cse().req('POST', '/cse-in/crae', {
      from: '/id-in/Ccrae',
      ty: 3,
      body: { 'm2m:cnt': { rn: 'c', cr: null } },
    });
    expect(r.rsc).toBe(2001);
    expect(r.body['m2m:cnt'].cr).toBe('/id-in/Ccrae');
    const rel = await cse().req('POST', '/cse-in/crae', {
      from: 'Ccrae',
      ty: 3,
      body: { 'm2m:cnt': { rn: 'c1', cr: null } },
    });
    expect(rel.rsc).toBe(2001);
    expect(rel.body['m2m:cnt'].cr).toBe('Ccrae');
    const bad = await cse().req('POST', '/cse-in/crae', {
      from: 'Ccrae',
      ty: 3,
      body: { 'm2m:cnt': { rn: 'c2', cr: 'Csomeoneelse' } },
    });
    expect(bad.rsc).toBe(4000);
  });
});
