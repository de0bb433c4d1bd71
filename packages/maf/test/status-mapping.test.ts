// The MAF's answers take their HTTP status from the one TS-0009 Table 6.3.2-1 in the binding: the MAF's
// own copy mapped 5103 TARGET_NOT_REACHABLE to 503, the table says 404.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpEdge } from '@m2msec/binding-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MafError, mafRoute } from '../src/index.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const routes = [
    mafRoute('GET', '/unavailable', async () => {
      throw new MafError('UNAVAILABLE', 'the key source did not answer in time');
    }),
    mafRoute('POST', '/created', async () => [2001, { ok: true }]),
    mafRoute('DELETE', '/deleted', async () => [2002, {}]),
    mafRoute('GET', '/conflict', async () => {
      throw new MafError('CONFLICT', 'already registered');
    }),
  ];
  server = createServer(httpEdge(routes, { errorShape: 'onem2m' }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('5103 is HTTP 404 (TS-0009 Table 6.3.2-1), with X-M2M-RSC 5103 and a JSON body with the code', async () => {
  const res = await fetch(`${base}/unavailable`, { headers: { 'x-m2m-ri': 'maf-1' } });
  expect(res.status).toBe(404);
  expect(res.headers.get('x-m2m-rsc')).toBe('5103');
  expect(res.headers.get('x-m2m-ri')).toBe('maf-1');
  expect(await res.json()).toEqual({ 'm2m:dbg': 'the key source did not answer in time', code: 'UNAVAILABLE' });
});

it('successes and other refusals follow the same table', async () => {
  const created = await fetch(`${base}/created`, { method: 'POST' });
  expect([created.status, created.headers.get('x-m2m-rsc')]).toEqual([201, '2001']);
  expect(created.headers.get('cache-control')).toBe('no-store');
  const deleted = await fetch(`${base}/deleted`, { method: 'DELETE' });
  expect([deleted.status, deleted.headers.get('x-m2m-rsc')]).toEqual([200, '2002']);
  const conflict = await fetch(`${base}/conflict`);
  expect([conflict.status, conflict.headers.get('x-m2m-rsc')]).toEqual([409, '4105']);
});
