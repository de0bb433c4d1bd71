// HttpRequestSender against real local servers: the binding itself (round trips), a silent server
// (timeout), a closed port (connection refused) and peers that break TS-0009.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { M2MError, Operation, type RequestPrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpRequestSender } from '../src/index.js';
import { type Fixture, startFixture } from './helpers.js';

let fx: Fixture;
const sender = new HttpRequestSender({ timeoutMs: 5_000 });
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  sender.close();
  await fx.close();
});
beforeEach(() => {
  fx.calls.length = 0;
});

/** A bare node:http server answering with `respond`; returns its port and a closer. */
async function rawServer(respond: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server = http.createServer(respond);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('round trips through the binding', () => {
  it('NOTIFY: POST without ty to the point of access as given; response parsed back', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi, rvi: '3', fr: '/id-in' });
    const notify: RequestPrimitive = {
      op: Operation.NOTIFY,
      to: '/id-mn/Cae1',
      fr: '/id-in',
      rqi: 'ntfy-1',
      rvi: '3',
      ot: '20260101T000000',
      pc: { 'm2m:sgn': { nev: { rep: { 'm2m:cin': { con: '21.5' } }, net: 3 }, sur: 'cse-in/ae1/sub1' } },
    };
    const rsp = await sender.send(`http://127.0.0.1:${fx.port}/~/id-in/cse-in/ae1`, notify);
    expect(rsp).toEqual({ rsc: 2000, rqi: 'ntfy-1', rvi: '3', fr: '/id-in' });
    // The receiving binding saw a NOTIFY addressed by the poa's path, everything else intact.
    expect(fx.calls[0]!.req).toEqual({ ...notify, to: '/id-in/cse-in/ae1' });
  });

  it('a retargeted NOTIFY (an ESPrim outer NOTIFY to a <CSEBase>) keeps its To in the request-target', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi, rvi: '3' });
    const notify: RequestPrimitive = {
      op: Operation.NOTIFY,
      to: '/id-in/cse-in',
      fr: '/id-mn/Cae1',
      rqi: 'esprim-1',
      rvi: '3',
      pc: { 'm2m:seci': { sit: 3 } },
    };
    await sender.send(`http://127.0.0.1:${fx.port}/`, notify, { retarget: true });
    expect(fx.calls.at(-1)!.req).toEqual(notify);
  });

  it('CREATE with every query and header parameter survives the trip', async () => {
    fx.reply = (req) => ({
      rsc: 2001,
      rqi: req.rqi,
      pc: { 'm2m:cnt': { rn: 'c1' } },
      location: 'cse-in/c1',
      ati: ['l1:t1'],
      ot: '20260101T000001',
      rset: '20260101T010000',
    });
    const create = {
      op: Operation.CREATE,
      to: '//m2msec.example/id-in/cse-in',
      fr: 'Cae1',
      rqi: 'cr-1',
      rvi: '4',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'c1', lbl: ['a+b', 'c d'] } },
      rcn: 1,
      rt: { rtv: 2, nu: ['http://n1/x', 'http://n2/y'] },
      rp: 'PT1H',
      drt: 1,
      rqet: '20301231T000000',
      rset: '20301231T000001',
      oet: '20301231T000002',
      ot: '20260101T000000',
      gid: 'g-1',
      rids: ['r1', 'r 2'],
      tids: ['t1'],
      ltids: ['lt1'],
      tqi: false,
      tkns: ['eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJDYWUxIn0.c2ln'],
      fc: { lbl: ['x+y', 'z'], ty: [3, 4], cty: ['text/plain'], lim: 5, fu: 2, cra: '20200101T000000' },
    } as RequestPrimitive;
    const rsp = await sender.send(`http://127.0.0.1:${fx.port}`, create);
    expect(fx.calls[0]!.req).toEqual(create);
    expect(rsp).toEqual({
      rsc: 2001,
      rqi: 'cr-1',
      pc: { 'm2m:cnt': { rn: 'c1' } },
      ati: ['l1:t1'],
      ot: '20260101T000001',
      rset: '20260101T010000',
    });
  });

  it('RETRIEVE appends the To path to the poa path; errors come back as dbg', async () => {
    fx.reply = (req) => ({ rsc: 4004, rqi: req.rqi, dbg: `resource ${req.to} does not exist` });
    const rsp = await sender.send(`http://127.0.0.1:${fx.port}/`, {
      op: Operation.RETRIEVE,
      to: 'cse-in/missing',
      rqi: 'rt-1',
      fr: 'CAdmin',
    });
    expect(rsp).toEqual({ rsc: 4004, rqi: 'rt-1', dbg: 'resource cse-in/missing does not exist' });
  });

  it('reuses one connection for consecutive requests (keep-alive agent)', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi });
    const own = new HttpRequestSender();
    for (let i = 0; i < 4; i++) {
      await own.send(`http://127.0.0.1:${fx.port}`, { op: Operation.RETRIEVE, to: 'cse-in', rqi: `k${i}`, fr: 'C1' });
    }
    own.close();
    expect(new Set(fx.calls.map((c) => c.transport.peerPort)).size).toBe(1);
  });
});

describe('failures become M2MErrors', () => {
  const retrieve: RequestPrimitive = { op: Operation.RETRIEVE, to: 'cse-in', rqi: 'f-1', fr: 'C1' };

  async function rejection(p: Promise<unknown>): Promise<M2MError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(M2MError);
    return e as M2MError;
  }

  it('no answer in time -> 4008 REQUEST_TIMEOUT', async () => {
    const silent = await rawServer(() => {
      /* never answers */
    });
    const e = await rejection(sender.send(`http://127.0.0.1:${silent.port}`, retrieve, { timeoutMs: 300 }));
    await silent.close();
    expect(e.rsc).toBe(4008);
    expect(e.message).toBe(`no response from http://127.0.0.1:${silent.port} within 300 ms`);
  });

  it('connection refused -> 5103 TARGET_NOT_REACHABLE', async () => {
    const gone = await rawServer(() => {});
    await gone.close();
    const e = await rejection(sender.send(`http://127.0.0.1:${gone.port}/x`, retrieve));
    expect(e.rsc).toBe(5103);
    expect(e.message).toBe(`http://127.0.0.1:${gone.port} is not reachable (ECONNREFUSED)`);
  });

  it('an unusable point of access -> 5103, user-info never echoed', async () => {
    expect((await rejection(sender.send('mqtt://broker:1883', retrieve))).message).toBe(
      "point of access scheme 'mqtt' is not http or https",
    );
    expect((await rejection(sender.send('not a url', retrieve))).rsc).toBe(5103);
    const gone = await rawServer(() => {});
    await gone.close();
    const e = await rejection(sender.send(`http://user:s3cret@127.0.0.1:${gone.port}`, retrieve));
    expect(e.message).not.toContain('s3cret');
  });

  it.each([
    ['no X-M2M-RSC', {}, '', 'response carries no X-M2M-RSC header'],
    [
      'a foreign X-M2M-RI',
      { 'X-M2M-RSC': '2000', 'X-M2M-RI': 'other' },
      '',
      `response X-M2M-RI "other" does not echo the request's`,
    ],
    ['a bad X-M2M-RSC', { 'X-M2M-RSC': 'OK', 'X-M2M-RI': 'f-1' }, '', 'response X-M2M-RSC "OK" is not a status code'],
    [
      'an HTML body',
      { 'X-M2M-RSC': '2000', 'X-M2M-RI': 'f-1', 'Content-Type': 'text/html' },
      '<h1>hi</h1>',
      'response body has Content-Type "text/html", not JSON',
    ],
    [
      'broken JSON',
      { 'X-M2M-RSC': '2000', 'X-M2M-RI': 'f-1', 'Content-Type': 'application/json' },
      '{',
      'response body is not valid JSON',
    ],
  ])('a peer answering with %s -> 5000', async (_what, headers, body, message) => {
    const peer = await rawServer((_req, res) => {
      res.writeHead(200, headers as Record<string, string>);
      res.end(body);
    });
    const e = await rejection(sender.send(`http://127.0.0.1:${peer.port}`, retrieve));
    await peer.close();
    expect([e.rsc, e.message]).toEqual([5000, message]);
  });

  it('a response body over maxResponseBytes -> 5000', async () => {
    const peer = await rawServer((_req, res) => {
      res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': 'f-1', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ big: 'x'.repeat(10_000) }));
    });
    const small = new HttpRequestSender({ maxResponseBytes: 1_000 });
    const e = await rejection(small.send(`http://127.0.0.1:${peer.port}`, retrieve));
    small.close();
    await peer.close();
    expect(e.rsc).toBe(5000);
    expect(e.message).toMatch(/exceeds 1000 bytes$/);
  });

  it('a CREATE without ty or a header value HTTP cannot carry -> 4000 before anything is sent', async () => {
    const e1 = await rejection(sender.send(`http://127.0.0.1:${fx.port}`, { ...retrieve, op: Operation.CREATE }));
    expect([e1.rsc, e1.message]).toEqual([4000, 'a CREATE request needs an integer ty']);
    const e2 = await rejection(sender.send(`http://127.0.0.1:${fx.port}`, { ...retrieve, fr: 'C1\r\nX-Evil: 1' }));
    expect(e2.rsc).toBe(4000);
    expect(e2.message).not.toContain('Evil');
    expect(fx.calls).toHaveLength(0);
  });
});
