// The MN-CSE registering to the IN-CSE process over the Provisioned Symmetric Key SAEF (TLS-PSK,
// TS-0003 8.2.2.1): the Kpsa provisioned with the IN-CSE's credentials CLI and bound to /id-mn,
// forwarding over that association; a wrong key never registers and says why.
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

const kpsaId = 'kpsa-mn@mef.m2msec.org';
const kpsa = randomBytes(32);
const schema = `e2e_psk_${randomBytes(3).toString('hex')}`;
let topo: Topology;
let inCse: InCseNode;
let pskPort: number;
const stops: Array<() => Promise<unknown> | unknown> = [];

async function mnWith(key: Buffer, cseId = '/id-mn'): Promise<{ mn: MnCse; url: string }> {
  const mn = await createMnCse({
    cseId,
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: ['http://127.0.0.1:1'],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: `https://127.0.0.1:${pskPort}`,
      framework: { kind: 'psk', identity: kpsaId, key },
      retryMs: 300,
    },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  const app = express();
  app.use(mn.router);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  stops.push(
    () => mn.stop(),
    () => server.close(),
  );
  await mn.start();
  return { mn, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function m2m(base: string, method: string, path: string, from: string, o: { ty?: number; body?: unknown } = {}) {
  const headers: Record<string, string> = {
    'X-M2M-Origin': from,
    'X-M2M-RI': randomBytes(4).toString('hex'),
    'X-M2M-RVI': '3',
  };
  if (o.body) headers['Content-Type'] = `application/json;ty=${o.ty}`;
  const r = await fetch(base + path, { method, headers, body: o.body ? JSON.stringify(o.body) : undefined });
  const text = await r.text();
  return { rsc: Number(r.headers.get('X-M2M-RSC')), body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  topo = new Topology('loopback');
  topo.addNode('in');
  const ca = new TestCa('psk');
  pskPort = await freePort();
  inCse = await startInCse(topo, {
    node: 'in',
    httpPort: await freePort(),
    certPort: await freePort(),
    pskPort,
    pgUrl,
    pgSchema: schema,
    server: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
    caFile: ca.certPath,
    admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
    appRules: [],
    credentials: [
      { args: ['add-psk', '--id', kpsaId, '--key-file', '-', '--bind', '/id-mn'], input: kpsa.toString('hex') },
    ],
  });
});

afterAll(async () => {
  for (const s of stops.reverse()) await s();
  await inCse?.proc.stop();
  topo?.destroy();
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe('MN-CSE over the PSK-based SAEF', () => {
  it('registers with the Kpsa bound to its CSE-ID and forwards an AE request over that association', async () => {
    const { mn, url } = await mnWith(kpsa);
    await mn.whenRegistered(60_000);
    // The operator is an administrator certificate over the certificate listener (secure profile).
    const admin = inCse.admin;
    expect((await admin('GET', '/cse-in/id-mn')).body['m2m:csr'].csi).toBe('/id-mn');
    await admin('POST', '/cse-in', {
      ty: 1,
      body: {
        'm2m:acp': {
          rn: 'pskAcp',
          pv: { acr: [{ acor: ['/id-mn/Cdev'], acop: 3 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
    });
    expect(
      (await admin('POST', '/cse-in', { ty: 3, body: { 'm2m:cnt': { rn: 'pskdata', acpi: ['cse-in/pskAcp'] } } })).rsc,
    ).toBe(2001);
    expect(
      (
        await m2m(url, 'POST', '/cse-mn', 'Cdev', {
          ty: 2,
          body: { 'm2m:ae': { api: 'Nsensor', rr: false, srv: ['3'] } },
        })
      ).rsc,
    ).toBe(2001);
    const up = await m2m(url, 'POST', '/~/id-in/cse-in/pskdata', 'Cdev', {
      ty: 4,
      body: { 'm2m:cin': { con: 'over-psk' } },
    });
    expect(up.rsc, JSON.stringify(up.body)).toBe(2001);
    expect((await admin('GET', '/cse-in/pskdata/la')).body['m2m:cin'].con).toBe('over-psk');
  });

  it('the same credential cannot register another CSE-ID (its binding is /id-mn)', async () => {
    const { mn } = await mnWith(kpsa, '/id-mnx');
    await expect(mn.whenRegistered(3_000)).rejects.toThrow(/4107|4106/);
    expect(mn.registration.state).not.toBe('registered');
  });

  it('a wrong key never registers; the failure is reported, the key is not', async () => {
    const wrong = randomBytes(32);
    const { mn } = await mnWith(wrong, '/id-mn');
    await expect(mn.whenRegistered(3_000)).rejects.toThrow(/not reachable|5103/);
    expect(mn.registration.attempts).toBeGreaterThan(1);
    expect(mn.registration.lastError).not.toContain(wrong.toString('hex'));
  });
});
