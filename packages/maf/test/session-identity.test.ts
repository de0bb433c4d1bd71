// The Mmaf procedures take the client's identity from the transport context the edge built (the MAF
// Handshake's PSK identity or verified certificate), never from a header: on a listener without a MAF
// Handshake, a request naming a provisioned client in X-M2M-Origin (or claiming its KmID) is refused 4103.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpEdge } from '@m2msec/binding-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mafRoutes } from '../src/index.js';
import { ADMIN_FQDN, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

const CLIENT = '//m2msec.org/id-in/Cheader';
let t: TestMaf;
let plain: Server;
let plainUrl: string;
let kmId: string;

beforeAll(async () => {
  t = await startTestMaf();
  kmId = (await t.client(CLIENT)).kmId;
  const ctx = {
    mafFqdn: MAF_FQDN,
    store: t.maf.store,
    now: Date.now,
    notify: { store: t.maf.store, timeoutMs: 1000 },
    maxRegistrationLifetimeMs: 86_400_000,
    maxKeyLifetimeMs: 86_400_000,
  };
  plain = createServer(httpEdge(mafRoutes(ctx, t.maf.anchors), { errorShape: 'onem2m' }));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => plain?.close(() => r()));
  await t?.close();
});

it('a header naming a provisioned client authenticates nothing: 4103, nothing registered', async () => {
  const before = (await t.maf.store.clientRegs.list()).length;
  const res = await fetch(`${plainUrl}/maf/mafClientReg`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-m2m-origin': CLIENT,
      'x-m2m-ri': 'forged-1',
      // What a confused role might read as the session's PSK identity.
      'x-psk-identity': kmId,
    },
    body: JSON.stringify({
      mafFQDN: MAF_FQDN,
      adminFQDN: ADMIN_FQDN,
      expirationTime: new Date(Date.now() + 60_000).toISOString(),
    }),
  });
  expect(res.status).toBe(403);
  expect(res.headers.get('x-m2m-rsc')).toBe('4103');
  expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', 'm2m:dbg': expect.stringMatching(/MAF Handshake/) });
  expect((await t.maf.store.clientRegs.list()).length).toBe(before);
});

it('the same client over its MAF Handshake (PSK identity from the TLS session) registers', async () => {
  const a = await t.client(`${CLIENT}2`);
  const reg = await a.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: Date.now() + 60_000 });
  expect(reg.mafClientID).toBe(`${CLIENT}2`);
});
