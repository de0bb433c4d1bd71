// Issue 13 "Missing resource types" over HTTP against the IN-CSE process, on both stores: <node> and a
// <mgmtObj> specialization (TS-0004 7.4.18, 7.4.15), <flexContainer> (7.4.37), <timeSeries> (7.4.38,
// 7.4.39), and long polling through <pollingChannel> (7.4.21, 7.4.22) by an AE without poa.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, pgUrl, startInCse } from './harness.js';

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`TS-0004 7.4.15 / 7.4.18 / 7.4.21 / 7.4.37 / 7.4.38 over HTTP, ${store} store`, () => {
    let cse: InCseProcess;
    const pgSchema = `in_cse_types_${randomBytes(4).toString('hex')}`;

    /** An operator's own flexContainer definition, given in the configuration file. */
    const counter = {
      cnd: 'org.example.counter',
      root: 'ex:cntr',
      customAttributes: [{ long: 'count', short: 'count', type: 'xs:nonNegativeInteger', create: 'M', update: 'O' }],
    };
    const configFile = (containerDefinitions: unknown[]) => {
      const f = join(mkdtempSync(join(tmpdir(), 'm2msec-types-')), 'config.json');
      writeFileSync(f, JSON.stringify({ containerDefinitions }));
      return f;
    };

    beforeAll(async () => {
      cse = await startInCse({ store, pgSchema, env: { M2MSEC_CONFIG: configFile([counter]) } });
      const ae = await m2m(cse.url, 'POST', '/cse-in', {
        from: 'Cdev',
        ty: 2,
        body: { 'm2m:ae': { rn: 'dev', api: 'Ndev', rr: false, srv: ['3'] } },
      });
      expect(ae.rsc, JSON.stringify(ae.body)).toBe(2001);
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

    it('<node> with a [battery] <mgmtObj> (m2m:bat), and its attribute refusals', async () => {
      const node = await m2m(cse.url, 'POST', '/cse-in', {
        from: 'CAdmin',
        ty: 14,
        body: { 'm2m:nod': { rn: 'gw', ni: 'urn:gsma:imei:90420156-025763-0' } },
      });
      expect(node.status).toBe(201);
      const bat = await m2m(cse.url, 'POST', '/cse-in/gw', {
        from: 'CAdmin',
        ty: 13,
        body: { 'm2m:bat': { rn: 'battery', mgd: 1006, btl: 90, bts: 2 } },
      });
      expect(bat.status, JSON.stringify(bat.body)).toBe(201);
      expect(bat.body['m2m:bat']).toMatchObject({ ty: 13, mgd: 1006, btl: 90 });
      const get = await m2m(cse.url, 'GET', '/cse-in/gw/battery', { from: 'CAdmin' });
      expect(get.body['m2m:bat'].bts).toBe(2);
      const ro = await m2m(cse.url, 'PUT', '/cse-in/gw/battery', {
        from: 'CAdmin',
        body: { 'm2m:bat': { mgd: 1007 } },
      });
      expect([ro.status, ro.rsc]).toEqual([400, 4000]);
    });

    it('<flexContainer>: a known containerDefinition is created, an unknown one is 4125', async () => {
      const ok = await m2m(cse.url, 'POST', '/cse-in/dev', {
        from: 'Cdev',
        ty: 28,
        body: { 'cod:binSh': { rn: 'switch', cnd: 'org.onem2m.common.moduleclass.binarySwitch', powSe: true } },
      });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(ok.body['cod:binSh']).toMatchObject({ powSe: true, cs: 4 });
      const unknown = await m2m(cse.url, 'POST', '/cse-in/dev', {
        from: 'Cdev',
        ty: 28,
        body: { 'x:y': { cnd: 'org.example.nothing' } },
      });
      expect(unknown.rsc).toBe(4125);
    });

    it('<flexContainer>: a containerDefinition from the configuration file is served', async () => {
      const ok = await m2m(cse.url, 'POST', '/cse-in/dev', {
        from: 'Cdev',
        ty: 28,
        body: { 'ex:cntr': { rn: 'counter', cnd: counter.cnd, count: 3 } },
      });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      const bad = await m2m(cse.url, 'PUT', '/cse-in/dev/counter', {
        from: 'Cdev',
        body: { 'ex:cntr': { count: -1 } },
      });
      expect(bad.rsc).toBe(4000);
    });

    it('a containerDefinition that shadows a flexContainer attribute stops the start with a clear message', async () => {
      const shadow = { ...counter, customAttributes: [{ ...counter.customAttributes[0], short: 'lbl' }] };
      await expect(startInCse({ store: 'sqlite', env: { M2MSEC_CONFIG: configFile([shadow]) } })).rejects.toThrow(
        "containerDefinitions 'org.example.counter': custom attribute 'lbl'",
      );
    });

    it('<timeSeries>: a second instance with the same dataGenerationTime is 4105 (HTTP 409)', async () => {
      await m2m(cse.url, 'POST', '/cse-in/dev', { from: 'Cdev', ty: 29, body: { 'm2m:ts': { rn: 'ts' } } });
      const tsi = () =>
        m2m(cse.url, 'POST', '/cse-in/dev/ts', {
          from: 'Cdev',
          ty: 30,
          body: { 'm2m:tsi': { dgt: '20250101T120000', con: '1' } },
        });
      expect((await tsi()).status).toBe(201);
      const dup = await tsi();
      expect([dup.status, dup.rsc]).toEqual([409, 4105]);
    });

    it('an AE without poa receives its notification by long polling <pollingChannelURI> and answers by NOTIFY', async () => {
      const pch = await m2m(cse.url, 'POST', '/cse-in/dev', {
        from: 'Cdev',
        ty: 15,
        body: { 'm2m:pch': { rn: 'pch' } },
      });
      expect(pch.status, JSON.stringify(pch.body)).toBe(201);
      await m2m(cse.url, 'POST', '/cse-in/dev', { from: 'Cdev', ty: 3, body: { 'm2m:cnt': { rn: 'box' } } });
      const sub = await m2m(cse.url, 'POST', '/cse-in/dev/box', {
        from: 'Cdev',
        ty: 23,
        body: { 'm2m:sub': { rn: 's', nu: ['/id-in/Cdev'], enc: { net: [3] } } },
      });
      expect(sub.status, JSON.stringify(sub.body)).toBe(201);
      const poll = m2m(cse.url, 'GET', '/cse-in/dev/pch/pcu', { from: 'Cdev', headers: { 'X-M2M-RET': '5000' } });
      await new Promise((r) => setTimeout(r, 100));
      await m2m(cse.url, 'POST', '/cse-in/dev/box', { from: 'Cdev', ty: 4, body: { 'm2m:cin': { con: 'ping' } } });
      const got = await poll;
      expect(got.status, JSON.stringify(got.body)).toBe(200);
      const rqp = got.body['m2m:rqp'];
      expect(rqp.pc['m2m:sgn'].nev).toMatchObject({ net: 3, rep: { 'm2m:cin': { con: 'ping' } } });
      const ack = await m2m(cse.url, 'POST', '/cse-in/dev/pch/pcu', {
        from: 'Cdev',
        body: { 'm2m:rsp': { rsc: 2000, rqi: rqp.rqi } },
      });
      expect([ack.status, ack.rsc]).toEqual([200, 2000]);
      const idle = await m2m(cse.url, 'GET', '/cse-in/dev/pch/pcu', { from: 'Cdev', headers: { 'X-M2M-RET': '200' } });
      expect(idle.rsc).toBe(4008);
    });
  });
}
