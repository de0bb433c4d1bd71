// Non-blocking requests (TS-0004 7.3.2.2 / 7.3.2.3, <request> 7.4.12, 7.5.1.2.5; TS-0001 8.2.2) on both stores:
// rt=1 polled through the <request> resource, rt=2 notified to rtu over HTTP on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequestSender } from '@m2msec/binding-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchemas, openCseOn, STORES, type StoreKind } from './both-stores.js';

afterAll(dropTestSchemas);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Opened = Awaited<ReturnType<typeof openCseOn>>;

/** Polls the <request> until it leaves PENDING (3). */
async function result(o: Opened, ri: string, fr: string) {
  for (let i = 0; i < 200; i++) {
    const r = await o.send({ op: 2, to: ri, fr });
    const req = (r.pc as any)?.['m2m:req'];
    if (r.rsc !== 2000) throw new Error(`poll ${ri}: ${r.rsc} ${r.dbg}`);
    if (req.rs !== 3) return req;
    await sleep(10);
  }
  throw new Error(`<request> ${ri} still pending`);
}

let server: Server;
let url: string;
const received: any[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url, from: req.headers['x-m2m-origin'], body: JSON.parse(body) });
      res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe.each(STORES)('%s store: TS-0004 7.3.2.2 non-blocking requests', (kind: StoreKind) => {
  let o: Opened;
  beforeAll(async () => {
    o = await openCseOn(kind, { senders: [new HttpRequestSender()] });
    await o.registerAe('Cn');
    await o.registerAe('Cx');
  });
  afterAll(() => o.close());

  it('rt=1 (nonBlockingRequestSynch): 1001 with a <request> reference, the result is polled from it', async () => {
    const ack = await o.send({
      op: 1,
      to: 'cse-in/Cn',
      fr: 'Cn',
      ty: 3,
      rt: { rtv: 1 },
      pc: { 'm2m:cnt': { rn: 'nb1' } },
    });
    expect(ack.rsc, ack.dbg).toBe(1001);
    const ri = (ack.pc as any)['m2m:uri'];
    expect(typeof ri).toBe('string');
    const req = await result(o, ri, 'Cn');
    // Table 7.3.2.2-2: the context of the request, then its outcome.
    expect(req).toMatchObject({ ty: 17, op: 1, tg: 'cse-in/Cn', org: 'Cn', rs: 1, lbl: ['/id-in/Cn'] });
    expect(req.ors.rsc).toBe(2001);
    expect(req.ors.pc['m2m:cnt'].rn).toBe('nb1');
    expect(req.et > req.ct).toBe(true);
    expect((await o.send({ op: 2, to: 'cse-in/Cn/nb1', fr: 'Cn' })).rsc).toBe(2000);
  });

  it('records a failed operation as FAILED with its status; only the originator sees its <request>', async () => {
    const ack = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cx', rt: { rtv: 1 } });
    expect(ack.rsc).toBe(1001);
    const ri = (ack.pc as any)['m2m:uri'];
    const req = await result(o, ri, 'Cx');
    expect([req.rs, req.ors.rsc]).toEqual([2, 4103]);
    expect(req.ors.pc['m2m:dbg']).toMatch(/no privilege/);
    expect((await o.send({ op: 2, to: ri, fr: 'Cn' })).rsc).toBe(4103);
  });

  it('runs the operation at oet, not before; a DELETE of the pending <request> cancels it (7.4.12.2.4)', async () => {
    const ack = await o.send({
      op: 1,
      to: 'cse-in/Cn',
      fr: 'Cn',
      ty: 3,
      rt: { rtv: 1 },
      oet: '300',
      pc: { 'm2m:cnt': { rn: 'later' } },
    });
    const ri = (ack.pc as any)['m2m:uri'];
    const pending = await o.send({ op: 2, to: ri, fr: 'Cn' });
    expect((pending.pc as any)['m2m:req'].rs).toBe(3);
    expect((await o.send({ op: 2, to: 'cse-in/Cn/later', fr: 'Cn' })).rsc).toBe(4004);
    expect((await result(o, ri, 'Cn')).rs).toBe(1);
    expect((await o.send({ op: 2, to: 'cse-in/Cn/later', fr: 'Cn' })).rsc).toBe(2000);

    const cancel = await o.send({
      op: 1,
      to: 'cse-in/Cn',
      fr: 'Cn',
      ty: 3,
      rt: { rtv: 1 },
      oet: '200',
      pc: { 'm2m:cnt': { rn: 'never' } },
    });
    expect((await o.send({ op: 4, to: (cancel.pc as any)['m2m:uri'], fr: 'Cn' })).rsc).toBe(2002);
    await sleep(400);
    expect((await o.send({ op: 2, to: 'cse-in/Cn/never', fr: 'Cn' })).rsc).toBe(4004);
  });

  it('honours rqet: expired on arrival is 4008; expired before oet fails the <request> with 4008', async () => {
    const late = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 1 }, rqet: '20000101T000000' });
    expect(late.rsc).toBe(4008);
    const ack = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 1 }, rqet: '100', oet: '250' });
    expect(ack.rsc, ack.dbg).toBe(1001);
    const req = await result(o, (ack.pc as any)['m2m:uri'], 'Cn');
    expect([req.rs, req.ors.rsc]).toEqual([2, 4008]);
  });

  it('keeps the <request> for rp after the result deadline, and refuses a lifetime beyond the maximum', async () => {
    const before = Date.now();
    const ack = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 1 }, rp: '60000' });
    const req = await result(o, (ack.pc as any)['m2m:uri'], 'Cn');
    const et = req.et as string;
    const etMs = Date.UTC(
      +et.slice(0, 4),
      +et.slice(4, 6) - 1,
      +et.slice(6, 8),
      +et.slice(9, 11),
      +et.slice(11, 13),
      +et.slice(13, 15),
    );
    expect(etMs).toBeGreaterThanOrEqual(before + 59_000);
    expect(etMs).toBeLessThan(Date.now() + 61_000);
    const tooLong = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 1 }, rp: String(30 * 24 * 3600_000) });
    expect(tooLong.rsc).toBe(4000);
    expect(tooLong.dbg).toMatch(/longer than this CSE allows/);
  });

  it('7.4.12.2: a <request> is not addressed in non-blocking mode (4000), not updated (4005), not created (4000)', async () => {
    const ack = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 1 } });
    const ri = (ack.pc as any)['m2m:uri'];
    await result(o, ri, 'Cn');
    expect((await o.send({ op: 2, to: ri, fr: 'Cn', rt: { rtv: 1 } })).rsc).toBe(4000);
    expect((await o.send({ op: 3, to: ri, fr: 'Cn', pc: { 'm2m:req': { lbl: ['x'] } } })).rsc).toBe(4005);
    expect((await o.send({ op: 1, to: 'cse-in', fr: 'Cn', ty: 17, pc: { 'm2m:req': {} } })).rsc).toBe(4005);
  });

  it('answers flexBlocking (4) blocking and refuses noResponse (5) with 5001, never a silent blocking answer', async () => {
    const flex = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 4 } });
    expect(flex.rsc).toBe(2000);
    const none = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 5 } });
    expect(none.rsc).toBe(5001);
  });

  it('rt=2 (nonBlockingRequestAsynch): 1002, then the result as m2m:rsp to each rtu (7.5.1.2.5)', async () => {
    received.length = 0;
    const ack = await o.send({
      op: 1,
      to: 'cse-in/Cn',
      fr: 'Cn',
      ty: 3,
      rt: { rtv: 2, nu: [`${url}/a`, `${url}/b`] },
      pc: { 'm2m:cnt': { rn: 'async1' } },
    });
    expect(ack.rsc, ack.dbg).toBe(1002);
    const req = await result(o, (ack.pc as any)['m2m:uri'], 'Cn');
    expect(req.rs).toBe(1);
    for (let i = 0; i < 100 && received.length < 2; i++) await sleep(10);
    expect(received.map((r) => r.path).sort()).toEqual(['/a', '/b']);
    for (const r of received) {
      expect(r.from).toBe('/id-in');
      expect(r.body['m2m:rsp'].rsc).toBe(2001);
      expect(r.body['m2m:rsp'].rqi).toBe(req.rid);
      expect(r.body['m2m:rsp'].pc['m2m:cnt'].rn).toBe('async1');
    }
  });

  it('rt=2 with an empty notificationURI list sends nothing; without one, the originator is notified at its poa', async () => {
    received.length = 0;
    const silent = await o.send({ op: 2, to: 'cse-in/Cn', fr: 'Cn', rt: { rtv: 2, nu: [] } });
    expect(silent.rsc).toBe(1002);
    await result(o, (silent.pc as any)['m2m:uri'], 'Cn');
    await sleep(100);
    expect(received).toEqual([]);
    const ae = await o.send({
      op: 1,
      to: 'cse-in',
      fr: 'Cpoa',
      ty: 2,
      pc: { 'm2m:ae': { rn: 'Cpoa', api: 'Ntest', rr: true, srv: ['3'], poa: [`${url}/poa`] } },
    });
    expect(ae.rsc, ae.dbg).toBe(2001);
    const toOriginator = await o.send({ op: 2, to: 'cse-in/Cpoa', fr: 'Cpoa', rt: { rtv: 2 } });
    expect(toOriginator.rsc).toBe(1002);
    for (let i = 0; i < 100 && received.length < 1; i++) await sleep(10);
    expect(received.map((r) => r.path)).toEqual(['/poa']);
    expect(received[0].body['m2m:rsp'].pc['m2m:ae'].rn).toBe('Cpoa');
  });
});

describe.each(STORES)('%s store: bounded non-blocking requests', (kind: StoreKind) => {
  it('refuses more pending requests than the per-originator limit (4000) and accepts again once they ran', async () => {
    const o = await openCseOn(kind, {
      config: {
        nonBlocking: {
          defaultResultPersistenceMs: 60_000,
          maxRequestLifetimeMs: 3_600_000,
          maxPendingPerOriginator: 2,
          maxPending: 3,
        },
      },
    });
    try {
      await o.registerAe('Cq');
      await o.registerAe('Cw');
      const later = (fr: string) => o.send({ op: 2, to: `cse-in/${fr}`, fr, rt: { rtv: 1 }, oet: '300' });
      expect((await later('Cq')).rsc).toBe(1001);
      expect((await later('Cq')).rsc).toBe(1001);
      const third = await later('Cq');
      expect(third.rsc).toBe(4000);
      expect(third.dbg).toMatch(/too many non-blocking requests pending/);
      expect((await later('Cw')).rsc).toBe(1001); // another originator has its own share...
      expect((await later('Cw')).rsc).toBe(4000); // ...within the CSE-wide limit
      await sleep(600);
      expect((await later('Cq')).rsc).toBe(1001);
    } finally {
      await o.close();
    }
  });
});

describe.each(STORES)('%s store: <request> across a restart', (kind: StoreKind) => {
  it('marks a <request> left PENDING by a stopped CSE as FAILED (5000) when the CSE opens again', async () => {
    const o = await openCseOn(kind);
    try {
      await o.registerAe('Cr');
      const ack = await o.send({ op: 2, to: 'cse-in/Cr', fr: 'Cr', rt: { rtv: 1 }, oet: '60000' });
      const ri = (ack.pc as any)['m2m:uri'];
      await o.cse.stop();
      const { Cse } = await import('../src/index.js');
      const again = await Cse.open({
        store: o.store,
        config: { expirySweepMs: 0, notifications: { allowTargets: ['127.0.0.1'] } },
      });
      const r = await again.handle(
        { op: 2, to: ri, fr: 'Cr', rqi: 'x', rvi: '3' },
        { binding: 'http', peerAddress: '127.0.0.1' },
      );
      expect((r.pc as any)['m2m:req'].rs).toBe(2);
      expect((r.pc as any)['m2m:req'].ors.rsc).toBe(5000);
      await again.stop();
    } finally {
      await o.close();
    }
  });
});
