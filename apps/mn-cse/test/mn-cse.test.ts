// createMnCse against an IN-CSE over real TLS: registration with the certificate-based SAEF
// (TS-0001 10.2.2.7), forwarding up to the IN-CSE and down through the MN-CSE's Mcc listener
// (TS-0004 7.3.2.6), and the refusals when no association carries the request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestCa } from '@m2msec/test-support';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMnCse, type MnCse } from '../src/index.js';
import { acpBody, aeBody, m2m } from './http.js';
import { startTestInCse, type TestInCse } from './in-cse.js';

let ca: TestCa;
let inCse: TestInCse;
let mn: MnCse;
let gw: Server;
let mnUrl: string;

beforeAll(async () => {
  ca = new TestCa('mn-test');
  inCse = await startTestInCse({
    ca: ca.cert,
    server: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
    client: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client' }),
    mnName: 'id-mn.id-in.m2msec.org',
  });
  const mnCert = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  const mnServer = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' });
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const mccPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: [`https://127.0.0.1:${mccPort}`],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: inCse.mccUrl,
      framework: {
        kind: 'certificate',
        cert: mnCert.cert,
        key: mnCert.key,
        trustAnchors: [ca.cert],
        servername: 'id-in.m2msec.org',
      },
      retryMs: 200,
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
  await mn.whenRegistered(30_000);
});

afterAll(async () => {
  await mn?.stop();
  gw?.close();
  await inCse?.close();
});

describe('registration over the certificate-based SAEF', () => {
  it('creates its <remoteCSE> at the IN-CSE and the IN-CSE <remoteCSE> locally', async () => {
    expect(mn.registration.state).toBe('registered');
    const atIn = await inCse.store.resources.get('id-mn');
    expect(atIn).toMatchObject({ ty: 16, csi: '/id-mn', cst: 2, poa: [mn.mccUrl] });
    const local = await m2m(mnUrl, 'GET', '/cse-mn/id-in', { from: 'CAdmin' });
    expect(local.rsc).toBe(2000);
    expect(local.body['m2m:csr']).toMatchObject({ csi: '/id-in', cb: '/id-in/cse-in', poa: [inCse.mccUrl] });
  });

  it('refuses options that would register without a security association', async () => {
    await expect(
      createMnCse({
        cseId: '/id-x',
        cseBaseName: 'x',
        spId: 'm2msec.org',
        poa: [],
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in', url: 'http://127.0.0.1:1' },
      }),
    ).rejects.toThrow(/SAEF credential.*plainHttp/);
  });
});

describe('forwarding', () => {
  beforeAll(async () => {
    for (const ae of ['Cae2', 'Cae3'])
      expect((await m2m(inCse.url, 'POST', '/cse-in', { from: ae, ty: 2, body: aeBody() })).rsc).toBe(2001);
    expect(
      (
        await m2m(inCse.url, 'POST', '/cse-in', {
          from: 'CAdmin',
          ty: 1,
          body: acpBody('acpData', [
            [['/id-mn/Cae1'], 63],
            [['Cae2'], 2],
          ]),
        })
      ).rsc,
    ).toBe(2001);
    expect(
      (
        await m2m(inCse.url, 'POST', '/cse-in', {
          from: 'CAdmin',
          ty: 3,
          body: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpData'] } },
        })
      ).rsc,
    ).toBe(2001);
    expect((await m2m(mnUrl, 'POST', '/cse-mn', { from: 'Cae1', ty: 2, body: aeBody() })).rsc).toBe(2001);
  });

  it('up: an AE of the MN-CSE creates at the IN-CSE; the ACP there lets Cae2 read and refuses Cae3', async () => {
    const c = await m2m(mnUrl, 'POST', '/~/id-in/cse-in/data', {
      from: 'Cae1',
      ty: 4,
      body: { 'm2m:cin': { con: '21.5' } },
    });
    expect(c.rsc, JSON.stringify(c.body)).toBe(2001);
    const read = await m2m(inCse.url, 'GET', '/cse-in/data/la', { from: 'Cae2' });
    expect(read.rsc).toBe(2000);
    expect(read.body['m2m:cin'].con).toBe('21.5');
    expect((await m2m(inCse.url, 'GET', '/cse-in/data/la', { from: 'Cae3' })).rsc).toBe(4103);
  });

  it('down: an AE of the IN-CSE reads from the MN-CSE through its mutual-TLS Mcc listener', async () => {
    expect(
      (
        await m2m(mnUrl, 'POST', '/cse-mn/Cae1', {
          from: 'Cae1',
          ty: 1,
          body: acpBody('acpLocal', [
            [['/id-mn/Cae1'], 63],
            [['/id-in/Cae2'], 2],
          ]),
        })
      ).rsc,
    ).toBe(2001);
    expect(
      (
        await m2m(mnUrl, 'POST', '/cse-mn/Cae1', {
          from: 'Cae1',
          ty: 3,
          body: { 'm2m:cnt': { rn: 'temp', acpi: ['cse-mn/Cae1/acpLocal'] } },
        })
      ).rsc,
    ).toBe(2001);
    expect(
      (await m2m(mnUrl, 'POST', '/cse-mn/Cae1/temp', { from: 'Cae1', ty: 4, body: { 'm2m:cin': { con: 'local' } } }))
        .rsc,
    ).toBe(2001);
    const ok = await m2m(inCse.url, 'GET', '/~/id-mn/cse-mn/Cae1/temp/la', { from: 'Cae2' });
    expect(ok.rsc, JSON.stringify(ok.body)).toBe(2000);
    expect(ok.body['m2m:cin'].con).toBe('local');
    expect((await m2m(inCse.url, 'GET', '/~/id-mn/cse-mn/Cae1/temp/la', { from: 'Cae3' })).rsc).toBe(4103);
  });

  it('the same relayed originator on plain HTTP (no association) is not believed (4106)', async () => {
    const r = await m2m(mnUrl, 'GET', '/cse-mn/Cae1/temp/la', { from: '/id-in/Cae2' });
    expect(r.rsc).toBe(4106);
  });
});
