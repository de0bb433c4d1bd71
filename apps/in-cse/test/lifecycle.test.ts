// Issue 2 "Must show": the IN-CSE as a separate process driven over HTTP, on both stores.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, pgUrl, startInCse } from './harness.js';

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`IN-CSE over HTTP with the ${store} store`, () => {
    let cse: InCseProcess;
    const pgSchema = `in_cse_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      cse = await startInCse({ store, pgSchema });
    });
    afterAll(async () => {
      await cse?.stop();
      if (store === 'postgres') {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
        await c.end();
      }
    });

    it('returns the CSEBase to the admin originator with 2000', async () => {
      const r = await m2m(cse.url, 'GET', '/cse-in', { from: 'CAdmin' });
      expect(r.status).toBe(200);
      expect(r.rsc).toBe(2000);
      expect(r.body['m2m:cb']).toMatchObject({ rn: 'cse-in', csi: '/id-in', ty: 5, cst: 1 });
      expect(r.headers.get('X-M2M-RI')).toMatch(/^rq/);
    });

    it('runs the AE -> container -> contentInstance lifecycle', async () => {
      const ae = await m2m(cse.url, 'POST', '/cse-in', {
        from: 'Csensor1',
        ty: 2,
        body: { 'm2m:ae': { rn: 'sensor1', api: 'Nsensor', rr: true, srv: ['3'] } },
      });
      expect(ae.rsc, JSON.stringify(ae.body)).toBe(2001);
      expect(ae.status).toBe(201);
      expect(ae.body['m2m:ae']).toMatchObject({ aei: 'Csensor1', ri: 'Csensor1', rn: 'sensor1', api: 'Nsensor' });
      expect(ae.headers.get('Content-Location')).toContain('cse-in/sensor1');

      const cnt = await m2m(cse.url, 'POST', '/cse-in/sensor1', {
        from: 'Csensor1',
        ty: 3,
        body: { 'm2m:cnt': { rn: 'temp', mni: 2 } },
      });
      expect(cnt.rsc).toBe(2001);
      expect(cnt.body['m2m:cnt']).toMatchObject({ rn: 'temp', cni: 0, cbs: 0, mni: 2 });

      for (const v of ['20.1', '20.2', '20.3']) {
        const cin = await m2m(cse.url, 'POST', '/cse-in/sensor1/temp', {
          from: 'Csensor1',
          ty: 4,
          body: { 'm2m:cin': { con: v, cnf: 'text/plain:0' } },
        });
        expect(cin.rsc).toBe(2001);
        expect(cin.body['m2m:cin']).toMatchObject({ con: v, cs: 4 });
      }
      const la = await m2m(cse.url, 'GET', '/cse-in/sensor1/temp/la', { from: 'Csensor1' });
      expect(la.rsc).toBe(2000);
      expect(la.body['m2m:cin'].con).toBe('20.3');
      const ol = await m2m(cse.url, 'GET', '/cse-in/sensor1/temp/ol', { from: 'Csensor1' });
      expect(ol.body['m2m:cin'].con).toBe('20.2'); // mni=2 evicted the oldest
      const c = await m2m(cse.url, 'GET', '/cse-in/sensor1/temp', { from: 'Csensor1' });
      expect(c.body['m2m:cnt']).toMatchObject({ cni: 2, cbs: 8 });

      const upd = await m2m(cse.url, 'PUT', '/cse-in/sensor1/temp', {
        from: 'Csensor1',
        body: { 'm2m:cnt': { lbl: ['room1'] } },
      });
      expect(upd.rsc).toBe(2004);
      expect(upd.body['m2m:cnt'].lbl).toEqual(['room1']);

      const cinUpdate = await m2m(cse.url, 'PUT', '/cse-in/sensor1/temp/la', {
        from: 'Csensor1',
        body: { 'm2m:cin': { con: 'x' } },
      });
      expect(cinUpdate.rsc).toBe(4005);

      const del = await m2m(cse.url, 'DELETE', '/cse-in/sensor1/temp/la', { from: 'Csensor1' });
      expect(del.rsc).toBe(2002);
      const after = await m2m(cse.url, 'GET', '/cse-in/sensor1/temp', { from: 'Csensor1' });
      expect(after.body['m2m:cnt']).toMatchObject({ cni: 1, cbs: 4 });

      const rcn4 = await m2m(cse.url, 'GET', '/cse-in/sensor1?rcn=4', { from: 'Csensor1' });
      expect(rcn4.body['m2m:ae']['m2m:cnt'][0]['m2m:cin']).toHaveLength(1);

      const dereg = await m2m(cse.url, 'DELETE', '/cse-in/sensor1', { from: 'Csensor1' });
      expect(dereg.rsc).toBe(2002);
      const gone = await m2m(cse.url, 'GET', '/cse-in/sensor1/temp', { from: 'CAdmin' });
      expect(gone.rsc).toBe(4004);
    });

    it('ACP allows the listed originator and denies another with 4103', async () => {
      for (const id of ['Cowner', 'Creader', 'Cstranger']) {
        const r = await m2m(cse.url, 'POST', '/cse-in', {
          from: id,
          ty: 2,
          body: { 'm2m:ae': { api: 'Napp', rr: false, srv: ['3'] } },
        });
        expect(r.rsc).toBe(2001);
      }
      const acp = await m2m(cse.url, 'POST', '/cse-in/Cowner', {
        from: 'Cowner',
        ty: 1,
        body: {
          'm2m:acp': {
            rn: 'readers',
            pv: {
              acr: [
                { acor: ['Cowner'], acop: 63 },
                { acor: ['Creader'], acop: 2 },
              ],
            },
            pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
          },
        },
      });
      expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
      const acpId = acp.body['m2m:acp'].ri;
      const cnt = await m2m(cse.url, 'POST', '/cse-in/Cowner', {
        from: 'Cowner',
        ty: 3,
        body: { 'm2m:cnt': { rn: 'data', acpi: [acpId] } },
      });
      expect(cnt.rsc).toBe(2001);
      await m2m(cse.url, 'POST', '/cse-in/Cowner/data', {
        from: 'Cowner',
        ty: 4,
        body: { 'm2m:cin': { con: 'secret-reading' } },
      });

      const allowed = await m2m(cse.url, 'GET', '/cse-in/Cowner/data/la', { from: 'Creader' });
      expect(allowed.rsc).toBe(2000);
      const denied = await m2m(cse.url, 'GET', '/cse-in/Cowner/data/la', { from: 'Cstranger' });
      expect(denied.rsc).toBe(4103);
      expect(denied.status).toBe(403);
      expect(JSON.stringify(denied.body)).not.toContain('secret-reading');
      const writeDenied = await m2m(cse.url, 'POST', '/cse-in/Cowner/data', {
        from: 'Creader',
        ty: 4,
        body: { 'm2m:cin': { con: 'x' } },
      });
      expect(writeDenied.rsc).toBe(4103);
      // Without acpi only the creator has access (default policy, TS-0001 10.2.3).
      const own = await m2m(cse.url, 'GET', '/cse-in/Cowner', { from: 'Cstranger' });
      expect(own.rsc).toBe(4103);
      // The policy itself is governed by pvs.
      const acpRead = await m2m(cse.url, 'GET', `/cse-in/Cowner/readers`, { from: 'Creader' });
      expect(acpRead.rsc).toBe(4103);
    });

    it('refuses a second registration of the same AE-ID with 4117', async () => {
      const body = { 'm2m:ae': { api: 'Napp', rr: false, srv: ['3'] } };
      expect((await m2m(cse.url, 'POST', '/cse-in', { from: 'Cdup', ty: 2, body })).rsc).toBe(2001);
      const again = await m2m(cse.url, 'POST', '/cse-in', { from: 'Cdup', ty: 2, body });
      expect(again.rsc).toBe(4117);
      expect(again.body['m2m:dbg']).toContain('already registered');
    });

    it('answers 4004 for a missing resource', async () => {
      const r = await m2m(cse.url, 'GET', '/cse-in/nothing-here', { from: 'CAdmin' });
      expect(r.rsc).toBe(4004);
      expect(r.status).toBe(404);
      expect(r.body['m2m:dbg']).toContain('does not exist');
    });

    it('answers 4000 with a useful message for bad JSON, an unknown attribute and a wrong ty', async () => {
      const badJson = await m2m(cse.url, 'POST', '/cse-in', { from: 'Cbad', ty: 2, rawBody: '{"m2m:ae": {' });
      expect(badJson.rsc).toBe(4000);
      expect(badJson.body['m2m:dbg']).toMatch(/JSON/);
      const unknown = await m2m(cse.url, 'POST', '/cse-in', {
        from: 'Cbad',
        ty: 2,
        body: { 'm2m:ae': { api: 'Nx', rr: true, srv: ['3'], colour: 'red' } },
      });
      expect(unknown.rsc).toBe(4000);
      expect(unknown.body['m2m:dbg']).toContain('colour');
      const wrongTy = await m2m(cse.url, 'POST', '/cse-in', {
        // an originator that may create here (an unregistered one would get 4106 first)
        from: 'CAdmin',
        ty: 3,
        body: { 'm2m:ae': { api: 'Nx', rr: true, srv: ['3'] } },
      });
      expect(wrongTy.rsc).toBe(4000);
      expect(wrongTy.body['m2m:dbg']).toMatch(/m2m:ae|ty/);
      const unknownTy = await m2m(cse.url, 'POST', '/cse-in', { from: 'CAdmin', ty: 999, body: { 'm2m:xyz': {} } });
      expect(unknownTy.rsc).toBe(4000);
      // nothing was created by any of them
      expect((await m2m(cse.url, 'GET', '/cse-in/Cbad', { from: 'CAdmin' })).rsc).toBe(4004);
      // and no stack trace leaks
      for (const r of [badJson, unknown, wrongTy, unknownTy])
        expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(js|ts):\d+/);
    });

    it('keeps its data across a restart', async () => {
      const ae = await m2m(cse.url, 'POST', '/cse-in', {
        from: 'Cpersist',
        ty: 2,
        body: { 'm2m:ae': { api: 'Napp', rr: false, srv: ['3'] } },
      });
      expect(ae.rsc).toBe(2001);
      await m2m(cse.url, 'POST', '/cse-in/Cpersist', { from: 'Cpersist', ty: 3, body: { 'm2m:cnt': { rn: 'log' } } });
      const cin = await m2m(cse.url, 'POST', '/cse-in/Cpersist/log', {
        from: 'Cpersist',
        ty: 4,
        body: { 'm2m:cin': { con: 'before restart' } },
      });
      expect(cin.rsc).toBe(2001);
      expect(await cse.stop()).toBe(0);
      cse = await startInCse({ store, dataDir: cse.dataDir, port: cse.port, pgSchema });
      const la = await m2m(cse.url, 'GET', '/cse-in/Cpersist/log/la', { from: 'Cpersist' });
      expect(la.rsc).toBe(2000);
      expect(la.body['m2m:cin'].con).toBe('before restart');
    });
  });
}
