// Announcement between the IN-CSE process and an MN-CSE (TS-0001 9.6.26, TS-0004 7.3.3.10 / 7.3.3.11): an AE
// of the MN-CSE and its container are announced to the IN-CSE over the MN-CSE's certificate-SAEF
// registration; the IN-CSE announces an <accessControlPolicy> down to the MN-CSE over its forwarding
// association (forwarding.remoteCses) to the MN-CSE's Mcc listener. De-announcement on UPDATE and DELETE.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMnCse, type MnCse } from '@m2msec/mn-cse';
import { TestCa } from '@m2msec/test-support';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/net/ports.js';
import { Topology } from '../src/net/topology.js';
import { type InCseNode, startInCse } from '../src/nodes/in-cse.js';
import { pgUrl } from '../src/world.js';

const schema = `e2e_annc_${randomBytes(3).toString('hex')}`;
let topo: Topology;
let inCse: InCseNode;
let mn: MnCse;
let gw: Server;
let mnUrl: string;

async function m2m(method: string, path: string, from: string, o: { ty?: number; body?: unknown } = {}) {
  const headers: Record<string, string> = {
    'X-M2M-Origin': from,
    'X-M2M-RI': randomBytes(4).toString('hex'),
    'X-M2M-RVI': '3',
    Accept: 'application/json',
  };
  if (o.body !== undefined) headers['Content-Type'] = `application/json${o.ty ? `;ty=${o.ty}` : ''}`;
  const r = await fetch(mnUrl + path, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await r.text();
  return { rsc: Number(r.headers.get('X-M2M-RSC')), body: text ? JSON.parse(text) : undefined };
}

/** The IN-CSE path of an SP-relative announced address ('/id-in/aeA12' -> '/~/id-in/aeA12'). */
const viaIn = (uri: string) => `/~${uri}`;

beforeAll(async () => {
  topo = new Topology('loopback');
  topo.addNode('in');
  const ca = new TestCa('annc');
  const mccPort = await freePort();
  inCse = await startInCse(topo, {
    node: 'in',
    httpPort: await freePort(),
    certPort: await freePort(),
    pgUrl,
    pgSchema: schema,
    server: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
    caFile: ca.certPath,
    admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
    appRules: [],
    forwarding: [
      { cseId: '/id-mn', cert: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client' }), caFile: ca.certPath },
    ],
  });
  const mnCert = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  const mnServer = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' });
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: [`https://127.0.0.1:${mccPort}`],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: `https://127.0.0.1:${inCse.certPort}`,
      framework: {
        kind: 'certificate',
        cert: mnCert.cert,
        key: mnCert.key,
        trustAnchors: [ca.cert],
        servername: 'id-in.m2msec.org',
      },
      retryMs: 300,
    },
    mcc: { port: mccPort, cert: mnServer.cert, key: mnServer.key, trustAnchors: [ca.cert] },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  const app = express();
  app.use('/onem2m', mn.router);
  gw = app.listen(0, '127.0.0.1');
  await new Promise((r) => gw.once('listening', r));
  mnUrl = `http://127.0.0.1:${(gw.address() as AddressInfo).port}/onem2m`;
  await mn.start();
  await mn.whenRegistered(60_000);
});

afterAll(async () => {
  await mn?.stop();
  gw?.close();
  await inCse?.proc.stop();
  topo?.destroy();
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe('announcement between the IN-CSE process and an MN-CSE', () => {
  it('an AE of the MN-CSE and its container are announced to the IN-CSE, kept in step and de-announced', async () => {
    const ae = await m2m('POST', '/cse-mn', 'Csensor', {
      ty: 2,
      body: { 'm2m:ae': { api: 'Nsensor', rr: false, srv: ['3'], lbl: ['room:1'], at: ['/id-in'], aa: ['api'] } },
    });
    expect(ae.rsc, JSON.stringify(ae.body)).toBe(2001);
    const aeA = ae.body['m2m:ae'].at[0] as string;
    expect(aeA).toMatch(/^\/id-in\//);
    const atIn = await inCse.admin('GET', viaIn(aeA));
    expect(atIn.rsc).toBe(2000);
    expect(atIn.body['m2m:aeA']).toMatchObject({ ty: 10002, lnk: '/id-mn/Csensor', api: 'Nsensor', lbl: ['room:1'] });
    expect(atIn.body['m2m:aeA'].pi).toBe('id-mn');

    const cnt = await m2m('POST', '/cse-mn/Csensor', 'Csensor', {
      ty: 3,
      body: { 'm2m:cnt': { rn: 'temp', at: ['/id-in'] } },
    });
    expect(cnt.rsc, JSON.stringify(cnt.body)).toBe(2001);
    const cntA = cnt.body['m2m:cnt'].at[0] as string;
    const cntAtIn = (await inCse.admin('GET', viaIn(cntA))).body['m2m:cntA'];
    expect(`/id-in/${cntAtIn.pi}`).toBe(aeA);

    // Discovery at the IN-CSE finds the announced resources.
    const found = await inCse.admin('GET', '/cse-in?fu=1&ty=10003');
    expect(found.body['m2m:uril']).toContain(`cse-in/id-mn/${aeA.split('/')[2]}/${cntA.split('/')[2]}`);

    const lbl = await m2m('PUT', '/cse-mn/Csensor/temp', 'Csensor', { body: { 'm2m:cnt': { lbl: ['unit:C'] } } });
    expect(lbl.rsc).toBe(2004);
    expect((await inCse.admin('GET', viaIn(cntA))).body['m2m:cntA'].lbl).toEqual(['unit:C']);

    const off = await m2m('PUT', '/cse-mn/Csensor/temp', 'Csensor', { body: { 'm2m:cnt': { at: null } } });
    expect(off.rsc).toBe(2004);
    expect((await inCse.admin('GET', viaIn(cntA))).rsc).toBe(4004);

    expect((await m2m('DELETE', '/cse-mn/Csensor', 'Csensor')).rsc).toBe(2002);
    expect((await inCse.admin('GET', viaIn(aeA))).rsc).toBe(4004);
  });

  it('the IN-CSE announces an <accessControlPolicy> down to the MN-CSE over its forwarding association', async () => {
    const acp = await inCse.admin('POST', '/cse-in', {
      ty: 1,
      body: {
        'm2m:acp': {
          rn: 'shared',
          pv: { acr: [{ acor: ['all'], acop: 2 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
          at: ['/id-mn'],
        },
      },
    });
    expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
    const acpA = acp.body['m2m:acp'].at[0] as string;
    expect(acpA).toMatch(/^\/id-mn\//);
    const atMn = await m2m('GET', `/~${acpA}`, 'CAdmin');
    expect(atMn.rsc, JSON.stringify(atMn.body)).toBe(2000);
    expect(atMn.body['m2m:acpA']).toMatchObject({ ty: 10001, lnk: `/id-in/${acp.body['m2m:acp'].ri}`, pi: 'id-in' });
    expect((await inCse.admin('DELETE', '/cse-in/shared')).rsc).toBe(2002);
    expect((await m2m('GET', `/~${acpA}`, 'CAdmin')).rsc).toBe(4004);
  });

  it('an at naming a CSE that is not registered is refused (4000) and nothing is created', async () => {
    const r = await m2m('POST', '/cse-mn', 'Cother', {
      ty: 2,
      body: { 'm2m:ae': { api: 'Nsensor', rr: false, srv: ['3'], at: ['/id-elsewhere'] } },
    });
    expect(r.rsc).toBe(4000);
    expect((await m2m('GET', '/cse-mn/Cother', 'CAdmin')).rsc).toBe(4004);
  });
});
