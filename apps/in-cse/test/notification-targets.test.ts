// Issue 12 item 9, the notification target policy in the IN-CSE process: a loopback service nobody allowed
// is never contacted (a subscription naming it is refused with 5204 and the one text), an allowed target
// (M2MSEC_NOTIFICATION_ALLOW_TARGETS) gets the verification request and the notifications. Only loopback
// addresses appear here; the other refused ranges are covered without any packet in
// packages/cse/test/notification-target-policy.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, startInCse } from './harness.js';

let cse: InCseProcess;
let target: Server;
let bystander: Server;
let targetPort = 0;
let bystanderPort = 0;
let bystanderConnections = 0;
const received: any[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
    });
  });
  bystander = createServer((_req, res) => res.writeHead(200, { 'X-M2M-RSC': '2000' }).end());
  bystander.on('connection', () => bystanderConnections++);
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => bystander.listen(0, '127.0.0.1', r));
  targetPort = (target.address() as AddressInfo).port;
  bystanderPort = (bystander.address() as AddressInfo).port;
  cse = await startInCse({
    store: 'sqlite',
    env: { M2MSEC_NOTIFICATION_ALLOW_TARGETS: `127.0.0.1:${targetPort}` },
  });
}, 30_000);

afterAll(async () => {
  await cse?.stop();
  await new Promise<void>((r) => target.close(() => r()));
  await new Promise<void>((r) => bystander.close(() => r()));
});

describe('notification targets of the IN-CSE', () => {
  it('a loopback port nobody allowed is not contacted; the refusal reads like any unreachable target', async () => {
    const nu = `http://127.0.0.1:${bystanderPort}/admin`;
    const r = await m2m(cse.url, 'POST', '/cse-in', { from: 'CAdmin', ty: 23, body: { 'm2m:sub': { nu: [nu] } } });
    expect(r.rsc).toBe(5204);
    expect(r.body['m2m:dbg']).toBe(`verification request to '${nu}' failed: notification target is not reachable`);
    expect(bystanderConnections).toBe(0);
  });

  it('an allowed target gets the verification request and the notifications', async () => {
    const nu = `http://127.0.0.1:${targetPort}/notify`;
    expect(
      (await m2m(cse.url, 'POST', '/cse-in', { from: 'CAdmin', ty: 3, body: { 'm2m:cnt': { rn: 'n1' } } })).rsc,
    ).toBe(2001);
    const sub = await m2m(cse.url, 'POST', '/cse-in/n1', {
      from: 'CAdmin',
      ty: 23,
      body: { 'm2m:sub': { rn: 's', nu: [nu], enc: { net: [3] } } },
    });
    expect(sub.rsc, JSON.stringify(sub.body)).toBe(2001);
    await m2m(cse.url, 'POST', '/cse-in/n1', { from: 'CAdmin', ty: 4, body: { 'm2m:cin': { con: 'hi' } } });
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received[0]['m2m:sgn'].vrq).toBe(true);
    expect(received[1]['m2m:sgn'].nev.rep['m2m:cin'].con).toBe('hi');
  });
});
