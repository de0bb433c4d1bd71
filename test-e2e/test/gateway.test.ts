// examples/gateway: an express app with its own routes and the MN-CSE embedded under /onem2m,
// registering to the real IN-CSE process over the certificate-based SAEF.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from '@m2msec/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../examples/gateway/src/app.js';
import { freePort } from '../src/net/ports.js';
import { Topology } from '../src/net/topology.js';
import { type InCseNode, startInCse } from '../src/nodes/in-cse.js';
import { pgUrl } from '../src/world.js';

let topo: Topology;
let inCse: InCseNode;
let gw: Gateway;
let server: Server;
let base: string;
const schema = `e2e_gw_${randomBytes(3).toString('hex')}`;

async function m2m(method: string, path: string, from: string, o: { ty?: number; body?: unknown } = {}) {
  const headers: Record<string, string> = {
    'X-M2M-Origin': from,
    'X-M2M-RI': randomBytes(4).toString('hex'),
    'X-M2M-RVI': '3',
    Accept: 'application/json',
  };
  if (o.body !== undefined) headers['Content-Type'] = `application/json${o.ty ? `;ty=${o.ty}` : ''}`;
  const r = await fetch(base + path, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await r.text();
  return {
    status: r.status,
    rsc: Number(r.headers.get('X-M2M-RSC')),
    body: text ? JSON.parse(text) : undefined,
    headers: r.headers,
  };
}

beforeAll(async () => {
  topo = new Topology('loopback');
  topo.addNode('in');
  const ca = new TestCa('gw', { root: mkdtempSync(join(tmpdir(), 'm2msec-gw-')) });
  const inCert = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const mnCert = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  inCse = await startInCse(topo, {
    node: 'in',
    httpPort: await freePort(),
    certPort: await freePort(),
    pgUrl,
    pgSchema: schema,
    server: inCert,
    caFile: ca.certPath,
    admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
    appRules: [],
  });
  gw = await createGateway({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: ['http://127.0.0.1:1/onem2m'],
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
    appRules: [{ name: 'devices', allowedAppIDs: ['Nsensor'], allowedAEs: ['*'] }],
  });
  server = gw.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await gw.start();
  await gw.mn.whenRegistered(60_000);
});

afterAll(async () => {
  await gw?.stop();
  server?.close();
  await inCse?.proc.stop();
  topo?.destroy();
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe('example gateway', () => {
  it('serves its own routes beside the embedded MN-CSE', async () => {
    const health = await (await fetch(`${base}/health`)).json();
    expect(health).toEqual({ status: 'ok', onem2m: 'registered' });
    const alert = await fetch(`${base}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'warn', text: 'door open' }),
    });
    expect(alert.status).toBe(201);
    expect(gw.alerts).toEqual([{ level: 'warn', text: 'door open' }]);
    const bad = await fetch(`${base}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(400);
  });

  it('devices register and post under /onem2m; the gateway API lists them through the handler', async () => {
    const reg = await m2m('POST', '/onem2m/cse-mn', 'Cthermo', {
      ty: 2,
      body: { 'm2m:ae': { api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, JSON.stringify(reg.body)).toBe(2001);
    expect(reg.headers.get('content-location')).toBe('/onem2m/cse-mn/Cthermo');
    expect(
      (await m2m('POST', '/onem2m/cse-mn/Cthermo', 'Cthermo', { ty: 3, body: { 'm2m:cnt': { rn: 't' } } })).rsc,
    ).toBe(2001);
    expect(
      (await m2m('POST', '/onem2m/cse-mn/Cthermo/t', 'Cthermo', { ty: 4, body: { 'm2m:cin': { con: '19.0' } } })).rsc,
    ).toBe(2001);
    const la = await m2m('GET', '/onem2m/cse-mn/Cthermo/t/la', 'Cthermo');
    expect(la.body['m2m:cin'].con).toBe('19.0');
    const devices = (await (await fetch(`${base}/api/devices`)).json()) as { devices: string[] };
    expect(devices.devices).toContain('cse-mn/Cthermo');
  });

  it('forwards what it does not host to the IN-CSE process over its association', async () => {
    // The operator is an administrator certificate over the certificate listener (secure profile).
    const admin = inCse.admin;
    await admin('POST', '/cse-in', {
      ty: 1,
      body: {
        'm2m:acp': {
          rn: 'gwAcp',
          pv: { acr: [{ acor: ['/id-mn/Cthermo'], acop: 3 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
    });
    expect(
      (await admin('POST', '/cse-in', { ty: 3, body: { 'm2m:cnt': { rn: 'gwdata', acpi: ['cse-in/gwAcp'] } } })).rsc,
    ).toBe(2001);
    const up = await m2m('POST', '/onem2m/~/id-in/cse-in/gwdata', 'Cthermo', {
      ty: 4,
      body: { 'm2m:cin': { con: 'up' } },
    });
    expect(up.rsc, JSON.stringify(up.body)).toBe(2001);
    const atIn = (await admin('GET', '/cse-in/gwdata/la')).body;
    expect(atIn['m2m:cin'].con).toBe('up');
    const other = await m2m('POST', '/onem2m/~/id-in/cse-in/gwdata', 'Cstranger', {
      ty: 4,
      body: { 'm2m:cin': { con: 'x' } },
    });
    expect(other.rsc).toBe(4106); // not registered at the gateway: not relayed at all
  });
});
