// Mmef procedures (TS-0003 8.3.5.2.3-8.3.5.2.10) over MEF Handshake sessions: client registration,
// configuration retrieval, update, de-registration; key registration (self-generated and from the
// TLS exporter), retrieval by an authorised target only, update and de-registration by the source.

import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { MefChannel, mefHandshakeOptions } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, MEF_FQDN, startTestMef, type TestMef } from './helpers.js';

let t: TestMef;
let source: MefChannel;
let target: MefChannel;
let stranger: MefChannel;
const later = () => new Date(Date.now() + 3_600_000).toISOString();

function call(
  ch: MefChannel,
  method: string,
  path: string,
  body?: unknown,
  from?: string,
): Promise<{ status: number; rsc: number; body: any }> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, ch.baseUrl), {
      ...(ch.tls as object),
      method,
      agent: ch.agent,
      headers: {
        'x-m2m-ri': 'mmef-test',
        ...(from ? { 'x-m2m-origin': from } : {}),
        ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          rsc: Number(res.headers['x-m2m-rsc']),
          body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
        }),
      );
    });
    req.end(data);
  });
}

async function channel(kpmId: string, kpm: string) {
  return new MefChannel(
    t.mef.urls.psk!,
    await mefHandshakeOptions({ kind: 'psk', kpmId, kpm: Buffer.from(kpm, 'hex') }, MEF_FQDN),
  );
}

beforeAll(async () => {
  t = await startTestMef();
  const kpm = hex();
  const kpm2 = hex();
  const tk = hex();
  await t.admin('PUT', '/admin/enrolees/psk/src-1', {
    kpm,
    enroleeId: 'Csrc',
    targets: [],
    enrolmentExpirySeconds: 3600,
    clientConfiguration: { fqdn: MEF_FQDN, adminFQDN: 'sp.m2msec.org', httpPort: 8443 },
  });
  await t.admin('PUT', '/admin/enrolees/psk/src-2', {
    kpm: kpm2,
    enroleeId: 'Cother',
    targets: [],
    enrolmentExpirySeconds: 3600,
  });
  await t.admin('PUT', '/admin/targets/%2Fid-in', { pskIdentity: 'tgt-in', key: tk });
  source = await channel('src-1', kpm);
  stranger = await channel('src-2', kpm2);
  target = await channel('tgt-in', tk);
});
afterAll(async () => {
  for (const c of [source, target, stranger]) c?.close();
  await t?.close();
});

describe('MEF Client Registration procedures', () => {
  it('register, retrieve configuration, update, de-register', async () => {
    expect(
      (
        await source.post('/mef/mefClientReg', {
          mefFQDN: 'other.example.com',
          expirationTime: later(),
          adminFQDN: 'sp.m2msec.org',
        })
      ).rsc,
    ).toBe(4000);
    const reg = await source.post('/mef/mefClientReg', {
      mefFQDN: MEF_FQDN,
      expirationTime: later(),
      adminFQDN: 'sp.m2msec.org',
      labels: ['a'],
    });
    expect(reg.rsc).toBe(2001);
    expect(reg.body).toMatchObject({ mefClientID: 'psk:src-1', adminFQDN: 'sp.m2msec.org', labels: ['a'] });
    const id = reg.body.mefClientRegID;
    const cfg = await call(source, 'GET', `/mef/mefClientReg/${id}/mefClientCfg`);
    expect(cfg).toMatchObject({ rsc: 2000, body: { mefClientCfg: { httpPort: 8443 } } });
    expect((await call(stranger, 'GET', `/mef/mefClientReg/${id}/mefClientCfg`)).rsc).toBe(4103);
    expect((await call(source, 'PUT', `/mef/mefClientReg/${id}`, { mefFQDN: MEF_FQDN })).rsc).toBe(4000);
    const upd = await call(source, 'PUT', `/mef/mefClientReg/${id}`, { mefFQDN: MEF_FQDN, labels: ['b'] });
    expect(upd).toMatchObject({ rsc: 2004, body: { labels: ['b'] } });
    expect(upd.body.expirationTime).toBeUndefined();
    expect((await call(source, 'DELETE', `/mef/mefClientReg/${id}`)).rsc).toBe(2002);
    expect((await call(source, 'GET', `/mef/mefClientReg/${id}/mefClientCfg`)).rsc).toBe(4004);
  });

  it('configuration retrieval without a configuration is an error', async () => {
    const reg = await stranger.post('/mef/mefClientReg', {
      mefFQDN: MEF_FQDN,
      expirationTime: later(),
      adminFQDN: 'sp.m2msec.org',
    });
    expect((await call(stranger, 'GET', `/mef/mefClientReg/${reg.body.mefClientRegID}/mefClientCfg`)).rsc).toBe(4004);
  });
});

describe('MEF Key Registration procedures', () => {
  it('needs a client registration for the adminFQDN first', async () => {
    const r = await source.post('/mef/symmKeyReg', {
      mefFQDN: MEF_FQDN,
      expirationTime: later(),
      adminFQDN: 'nobody.example.com',
      suid: 22,
      targetIDs: ['/id-in'],
    });
    expect(r.rsc).toBe(4103);
  });

  it('key from the TLS exporter: the target retrieves what the source computes; update and de-registration by the source only', async () => {
    await source.post('/mef/mefClientReg', { mefFQDN: MEF_FQDN, expirationTime: later(), adminFQDN: 'sp.m2msec.org' });
    expect(
      (
        await source.post('/mef/symmKeyReg', {
          mefFQDN: MEF_FQDN,
          expirationTime: later(),
          adminFQDN: 'sp.m2msec.org',
          suid: 22,
          targetIDs: ['/a', '/b'],
        })
      ).rsc,
    ).toBe(4000);
    const reg = await source.post('/mef/symmKeyReg', {
      mefFQDN: MEF_FQDN,
      expirationTime: later(),
      adminFQDN: 'sp.m2msec.org',
      suid: 22,
      targetIDs: ['/id-in'],
    });
    expect(reg.rsc).toBe(2001);
    const rid: string = reg.body.relativeKeyID;
    expect(reg.body).toMatchObject({
      keyIdentifier: `${rid}@${MEF_FQDN}`,
      sourceMefClientID: 'psk:src-1',
      suid: 22,
      targetIDs: ['/id-in'],
    });
    const exported = source.socket.exportKeyingMaterial(48, 'EXPORTER-oneM2M-Bootstrap', Buffer.from(rid, 'hex'));
    const mine = exported.subarray(16).toString('base64');
    const got = await call(target, 'GET', `/mef/symmKeyReg/${rid}`, undefined, '/id-in');
    expect(got).toMatchObject({ rsc: 2000, body: { keyValue: mine, suid: 22, sourceMefClientID: 'psk:src-1' } });
    expect((await call(target, 'GET', `/mef/symmKeyReg/${rid}`, undefined, '/other')).rsc).toBe(4103);
    expect((await call(stranger, 'GET', `/mef/symmKeyReg/${rid}`, undefined, '/id-in')).rsc).toBe(4103);
    expect((await call(target, 'PUT', `/mef/symmKeyReg/${rid}`, { mefFQDN: MEF_FQDN, labels: ['x'] })).rsc).toBe(4103);
    const upd = await call(source, 'PUT', `/mef/symmKeyReg/${rid}`, { mefFQDN: MEF_FQDN, targetIDs: ['/id-mn'] });
    expect(upd).toMatchObject({ rsc: 2004, body: { targetIDs: ['/id-mn'] } });
    expect((await call(target, 'GET', `/mef/symmKeyReg/${rid}`, undefined, '/id-in')).rsc).toBe(4103);
    expect((await call(stranger, 'DELETE', `/mef/symmKeyReg/${rid}`)).rsc).toBe(4103);
    expect((await call(source, 'DELETE', `/mef/symmKeyReg/${rid}`)).rsc).toBe(2002);
    expect((await call(target, 'GET', `/mef/symmKeyReg/${rid}`, undefined, '/id-in')).rsc).toBe(4004);
  });

  it('a self-generated Key Value is stored and handed to the target as is', async () => {
    const value = randomBytes(32).toString('base64');
    const reg = await source.post('/mef/symmKeyReg', {
      mefFQDN: MEF_FQDN,
      expirationTime: later(),
      adminFQDN: 'sp.m2msec.org',
      suid: 24,
      targetIDs: ['/id-in', '/id-mn'],
      keyValue: value,
    });
    expect(reg.rsc).toBe(2001);
    const got = await call(target, 'GET', `/mef/symmKeyReg/${reg.body.relativeKeyID}`, undefined, '/id-in');
    expect(got.body.keyValue).toBe(value);
  });
});
