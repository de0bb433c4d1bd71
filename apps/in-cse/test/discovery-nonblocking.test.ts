// The IN-CSE process over HTTP, both stores: conditional retrieval and discovery from the query string
// (TS-0009 6.2.2.2, TS-0004 7.3.3.14 / 7.3.3.17), <fanOutPoint> CREATE (7.4.14), non-blocking requests with
// X-M2M-RTU (TS-0004 7.3.2.2, TS-0009 6.4.11).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, pgUrl, startInCse } from './harness.js';

let notifyServer: Server;
let notifyUrl: string;
const received: any[] = [];
beforeAll(async () => {
  notifyServer = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ from: req.headers['x-m2m-origin'], body: JSON.parse(body) });
      res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
    });
  });
  await new Promise<void>((r) => notifyServer.listen(0, '127.0.0.1', r));
  notifyUrl = `http://127.0.0.1:${(notifyServer.address() as AddressInfo).port}/nb`;
});
afterAll(() => new Promise<void>((r) => notifyServer.close(() => r())));

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`IN-CSE over HTTP with the ${store} store: discovery, fan-out, non-blocking`, () => {
    let cse: InCseProcess;
    const pgSchema = `in_cse_disc_${randomBytes(4).toString('hex')}`;
    const post = (path: string, from: string, ty: number, body: unknown) =>
      m2m(cse.url, 'POST', path, { from, ty, body });

    beforeAll(async () => {
      // rt=2 results go to a loopback receiver, which the target policy refuses unless allowed.
      cse = await startInCse({ store, pgSchema, env: { M2MSEC_NOTIFICATION_ALLOW_TARGETS: '127.0.0.1' } });
      expect(
        (await post('/cse-in', 'Cdisc', 2, { 'm2m:ae': { rn: 'disc', api: 'Nd', rr: true, srv: ['3'] } })).rsc,
      ).toBe(2001);
      for (const rn of ['temp', 'hum']) {
        expect((await post('/cse-in/disc', 'Cdisc', 3, { 'm2m:cnt': { rn, lbl: [`k:${rn}`] } })).rsc).toBe(2001);
        for (const con of ['1', '22', '333'])
          expect((await post(`/cse-in/disc/${rn}`, 'Cdisc', 4, { 'm2m:cin': { con, cnf: 'text/plain:0' } })).rsc).toBe(
            2001,
          );
      }
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

    it('TS-0004 7.3.3.14: discovery from the query string with ty, sza, lim, ofst and attribute conditions', async () => {
      const all = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&ty=4', { from: 'Cdisc' });
      expect(all.rsc).toBe(2000);
      expect(all.body['m2m:uril']).toHaveLength(6);
      const page = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&ty=4&lim=2&ofst=2', { from: 'Cdisc' });
      expect(page.body['m2m:uril']).toEqual(all.body['m2m:uril'].slice(1, 3));
      const big = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&sza=3', { from: 'Cdisc' });
      expect(big.body['m2m:uril']).toHaveLength(2);
      // TS-0009 6.2.2.2: a resource attribute short name is an attribute condition; '*' wildcard in discovery.
      const byName = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&rn=te*', { from: 'Cdisc' });
      expect(byName.body['m2m:uril']).toEqual(['cse-in/disc/temp']);
      const byCon = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&con=22&con=333&ty=4', { from: 'Cdisc' });
      expect(byCon.body['m2m:uril']).toHaveLength(4);
      const unstructured = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&ty=3&drt=2', { from: 'Cdisc' });
      for (const ri of unstructured.body['m2m:uril']) expect(ri).not.toContain('/');
    });

    it('TS-0004 7.3.3.17: rcn=4 covers descendants; unknown parameters are 4000, unevaluated ones 5001', async () => {
      const r = await m2m(cse.url, 'GET', '/cse-in/disc?rcn=4&ty=4&lim=4', { from: 'Cdisc' });
      expect(r.rsc).toBe(2000);
      expect(r.body['m2m:ae']['m2m:cin']).toHaveLength(4);
      const unknown = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&nosuchthing=1', { from: 'Cdisc' });
      expect([unknown.status, unknown.rsc]).toEqual([400, 4000]);
      expect(unknown.body['m2m:dbg']).toMatch(/unknown query parameter "nosuchthing"/);
      const semantic = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&smf=x', { from: 'Cdisc' });
      expect(semantic.rsc).toBe(5001);
      // childAttribute ('c.' prefix) and parentAttribute ('p.'), TS-0009 6.2.2.2.
      const child = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&c.con=22', { from: 'Cdisc' });
      expect(child.body['m2m:uril']).toEqual(['cse-in/disc/hum', 'cse-in/disc/temp']); // path order
      const parent = await m2m(cse.url, 'GET', '/cse-in/disc?fu=1&p.rn=temp', { from: 'Cdisc' });
      expect(parent.body['m2m:uril']).toHaveLength(3);
    });

    it('TS-0004 7.4.14: CREATE through <group>/fopt answers m2m:agr', async () => {
      const grp = await post('/cse-in/disc', 'Cdisc', 9, {
        'm2m:grp': { rn: 'both', mt: 3, mnm: 2, mid: ['cse-in/disc/temp', 'cse-in/disc/hum'] },
      });
      expect(grp.rsc, JSON.stringify(grp.body)).toBe(2001);
      const r = await post('/cse-in/disc/both/fopt', 'Cdisc', 4, { 'm2m:cin': { con: 'fan' } });
      expect([r.status, r.rsc]).toEqual([200, 2000]);
      expect(r.body['m2m:agr']['m2m:rsp'].map((x: any) => x.rsc)).toEqual([2001, 2001]);
      const la = await m2m(cse.url, 'GET', '/cse-in/disc/hum/la', { from: 'Cdisc' });
      expect(la.body['m2m:cin'].con).toBe('fan');
    });

    it('TS-0004 7.3.2.2: rt=1 is 202/1001 with the <request> to poll; rt=2 notifies X-M2M-RTU', async () => {
      const ack = await m2m(cse.url, 'POST', '/cse-in/disc?rt=1', {
        from: 'Cdisc',
        ty: 3,
        body: { 'm2m:cnt': { rn: 'nb' } },
      });
      expect([ack.status, ack.rsc]).toEqual([202, 1001]);
      const ri = ack.body['m2m:uri'];
      let req: any;
      for (let i = 0; i < 100; i++) {
        req = (await m2m(cse.url, 'GET', `/cse-in/${ri}`, { from: 'Cdisc' })).body['m2m:req'];
        if (req.rs !== 3) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect([req.rs, req.ors.rsc]).toEqual([1, 2001]);
      received.length = 0;
      const asy = await m2m(cse.url, 'GET', '/cse-in/disc/nb?rt=2', {
        from: 'Cdisc',
        headers: { 'X-M2M-RTU': notifyUrl },
      });
      expect([asy.status, asy.rsc]).toEqual([202, 1002]);
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(received[0].from).toBe('/id-in');
      expect(received[0].body['m2m:rsp']).toMatchObject({ rsc: 2000, pc: { 'm2m:cnt': { rn: 'nb' } } });
    });
  });
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`IN-CSE over HTTP with the ${store} store: the filter budget (TS-0001 8.1.2, TS-0009 6.4.20/21)`, () => {
    let cse: InCseProcess;
    const pgSchema = `in_cse_budget_${randomBytes(4).toString('hex')}`;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'm2msec-in-cse-budget-'));
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({ cse: { filterBudget: { maxCandidates: 2, maxResults: 100, maxMs: 5000 } } }),
      );
      cse = await startInCse({ store, pgSchema, env: { M2MSEC_CONFIG: config } });
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

    it('answers a discovery cut by the configured budget with X-M2M-CTS and X-M2M-CTO, and continues from there', async () => {
      const post = (path: string, ty: number, body: unknown) => m2m(cse.url, 'POST', path, { from: 'Cbud', ty, body });
      expect((await post('/cse-in', 2, { 'm2m:ae': { rn: 'bud', api: 'Nb', rr: true, srv: ['3'] } })).rsc).toBe(2001);
      for (const rn of ['a', 'b', 'c']) expect((await post('/cse-in/bud', 3, { 'm2m:cnt': { rn } })).rsc).toBe(2001);
      const first = await m2m(cse.url, 'GET', '/cse-in/bud?fu=1', { from: 'Cbud' });
      expect(first.rsc).toBe(2000);
      expect(first.body['m2m:uril']).toEqual(['cse-in/bud/a', 'cse-in/bud/b']);
      expect(first.headers.get('X-M2M-CTS')).toBe('1');
      expect(first.headers.get('X-M2M-CTO')).toBe('3');
      const rest = await m2m(cse.url, 'GET', '/cse-in/bud?fu=1&ofst=3', { from: 'Cbud' });
      expect(rest.body['m2m:uril']).toEqual(['cse-in/bud/c']);
      expect(rest.headers.get('X-M2M-CTS')).toBeNull();
    });
  });
}
