import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequestSender } from '@m2msec/binding-http';
import { formatTimestamp } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCse } from './setup.js';

describe('CSE core in process', () => {
  it('creates the CSEBase once and keeps it across reopen of the same store', async () => {
    const { cse, send, store } = await openTestCse();
    const r = await send({ op: 2, to: 'cse-in', fr: 'CAdmin' });
    expect(r.rsc).toBe(2000);
    expect((r.pc as any)['m2m:cb'].srt).toContain(2);
    expect((await send({ op: 2, to: '/id-in', fr: 'CAdmin' })).rsc).toBe(2000);
    expect((await send({ op: 2, to: '-', fr: 'CAdmin' })).rsc).toBe(2000);
    await cse.stop();
    await store.close();
  });

  it('answers rcn 0, 2, 3 on CREATE and 5, 6, 8 on RETRIEVE', async () => {
    const { send, registerAe } = await openTestCse();
    await registerAe('Ca');
    const c0 = await send({ op: 1, to: 'cse-in/Ca', fr: 'Ca', ty: 3, rcn: 0, pc: { 'm2m:cnt': { rn: 'x' } } });
    expect(c0.rsc).toBe(2001);
    expect(c0.pc).toBeUndefined();
    const c2 = await send({ op: 1, to: 'cse-in/Ca', fr: 'Ca', ty: 3, rcn: 2, pc: { 'm2m:cnt': { rn: 'y' } } });
    expect(c2.pc).toEqual({ 'm2m:uri': 'cse-in/Ca/y' });
    const c3 = await send({ op: 1, to: 'cse-in/Ca', fr: 'Ca', ty: 3, rcn: 3, pc: { 'm2m:cnt': { rn: 'z' } } });
    expect((c3.pc as any)['m2m:rce'].uri).toBe('cse-in/Ca/z');
    const r5 = await send({ op: 2, to: 'cse-in/Ca', fr: 'Ca', rcn: 5 });
    expect((r5.pc as any)['m2m:ae'].ch.map((c: any) => c.nm).sort()).toEqual(['x', 'y', 'z']);
    const r6 = await send({ op: 2, to: 'cse-in/Ca', fr: 'Ca', rcn: 6 });
    expect((r6.pc as any)['m2m:rrl'].rrf).toHaveLength(3);
    const r8 = await send({ op: 2, to: 'cse-in/Ca', fr: 'Ca', rcn: 8 });
    expect((r8.pc as any)['m2m:ae'].rn).toBeUndefined();
    expect((r8.pc as any)['m2m:ae']['m2m:cnt']).toHaveLength(3);
    const u9 = await send({ op: 3, to: 'cse-in/Ca/x', fr: 'Ca', rcn: 9, pc: { 'm2m:cnt': { lbl: ['a'] } } });
    expect(u9.pc).toEqual({ 'm2m:cnt': { lbl: ['a'], ty: 3 } });
  });

  it('discovers by ty, lbl, cra/crb and lim, only what the originator may discover', async () => {
    const { send, registerAe } = await openTestCse();
    await registerAe('Cd');
    await registerAe('Cother');
    for (const [rn, lbl] of [
      ['a', ['k1']],
      ['b', ['k2']],
      ['c', ['k1', 'k2']],
    ] as const) {
      await send({ op: 1, to: 'cse-in/Cd', fr: 'Cd', ty: 3, pc: { 'm2m:cnt': { rn, lbl: [...lbl] } } });
    }
    await send({ op: 1, to: 'cse-in/Cd/a', fr: 'Cd', ty: 4, pc: { 'm2m:cin': { con: '1' } } });
    const byTy = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cd', fc: { fu: 1, ty: [3] } });
    expect((byTy.pc as any)['m2m:uril'].sort()).toEqual(['cse-in/Cd/a', 'cse-in/Cd/b', 'cse-in/Cd/c']);
    const byLbl = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cd', fc: { fu: 1, lbl: ['k2'] } });
    expect((byLbl.pc as any)['m2m:uril'].sort()).toEqual(['cse-in/Cd/b', 'cse-in/Cd/c']);
    const lim = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cd', fc: { fu: 1, ty: [3], lim: 2 } });
    expect((lim.pc as any)['m2m:uril']).toHaveLength(2);
    const future = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cd', fc: { fu: 1, cra: '29990101T000000' } });
    expect((future.pc as any)['m2m:uril']).toEqual([]);
    const past = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cd', fc: { fu: 1, crb: '20000101T000000' } });
    expect((past.pc as any)['m2m:uril']).toEqual([]);
    const unstructured = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cd', fc: { fu: 1, ty: [4] }, drt: 2 });
    expect((unstructured.pc as any)['m2m:uril'][0]).toMatch(/^cin/);
    // another AE discovers nothing: no acpi -> only the creator
    const other = await send({ op: 2, to: 'cse-in/Cd', fr: 'Cother', fc: { fu: 1 } });
    expect((other.pc as any)['m2m:uril']).toEqual([]);
  });

  it('fans out a RETRIEVE through a group fopt, each member checked on its own', async () => {
    const { send, registerAe } = await openTestCse();
    await registerAe('Cg');
    await send({ op: 1, to: 'cse-in/Cg', fr: 'Cg', ty: 3, pc: { 'm2m:cnt': { rn: 'm1' } } });
    await send({ op: 1, to: 'cse-in/Cg', fr: 'Cg', ty: 3, pc: { 'm2m:cnt': { rn: 'm2' } } });
    const grp = await send({
      op: 1,
      to: 'cse-in/Cg',
      fr: 'Cg',
      ty: 9,
      pc: { 'm2m:grp': { rn: 'both', mt: 3, mnm: 5, mid: ['cse-in/Cg/m1', 'cse-in/Cg/m2', 'cse-in/Cg/m1'] } },
    });
    expect(grp.rsc, grp.dbg).toBe(2001);
    expect((grp.pc as any)['m2m:grp'].cnm).toBe(2);
    const fo = await send({ op: 2, to: 'cse-in/Cg/both/fopt', fr: 'Cg' });
    expect(fo.rsc).toBe(2000);
    const rsp = (fo.pc as any)['m2m:agr']['m2m:rsp'];
    expect(rsp.map((r: any) => r.rsc)).toEqual([2000, 2000]);
    expect(rsp.map((r: any) => r.pc['m2m:cnt'].rn)).toEqual(['m1', 'm2']);
    const tooMany = await send({
      op: 1,
      to: 'cse-in/Cg',
      fr: 'Cg',
      ty: 9,
      pc: { 'm2m:grp': { mt: 3, mnm: 1, mid: ['cse-in/Cg/m1', 'cse-in/Cg/m2'] } },
    });
    expect(tooMany.rsc).toBe(6010);
    const wrongType = await send({
      op: 1,
      to: 'cse-in/Cg',
      fr: 'Cg',
      ty: 9,
      pc: { 'm2m:grp': { mt: 4, mnm: 3, csy: 2, mid: ['cse-in/Cg/m1'] } },
    });
    expect(wrongType.rsc).toBe(4110);
  });

  it('expires resources whose expirationTime passed', async () => {
    const { cse, send, registerAe } = await openTestCse();
    await registerAe('Ce');
    const soon = new Date(Date.now() + 1000);
    const r = await send({
      op: 1,
      to: 'cse-in/Ce',
      fr: 'Ce',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'brief', et: formatTimestamp(soon) } },
    });
    expect(r.rsc, r.dbg).toBe(2001);
    expect(await cse.sweepExpired(new Date(soon.getTime() + 1000))).toBe(1);
    expect((await send({ op: 2, to: 'cse-in/Ce/brief', fr: 'Ce' })).rsc).toBe(4004);
    const past = await send({ op: 1, to: 'cse-in/Ce', fr: 'Ce', ty: 3, pc: { 'm2m:cnt': { et: '20000101T000000' } } });
    expect(past.rsc).toBe(4000);
  });

  it('a far-future expirationTime does not move creation times of later resources', async () => {
    const { send, registerAe } = await openTestCse();
    await registerAe('Cf');
    const far = await send({
      op: 1,
      to: 'cse-in/Cf',
      fr: 'Cf',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'far', et: '20990101T000000' } },
    });
    expect(far.rsc, far.dbg).toBe(2001);
    const next = await send({ op: 1, to: 'cse-in/Cf', fr: 'Cf', ty: 3, pc: { 'm2m:cnt': { rn: 'next' } } });
    expect((next.pc as any)['m2m:cnt'].ct.slice(0, 4)).toBe(String(new Date().getUTCFullYear()));
  });

  it('registers a remoteCSE only for the CSE itself and refuses a duplicate', async () => {
    const { send } = await openTestCse({ config: { expirySweepMs: 0, allowCseWithoutAssociation: true } });
    const body = {
      'm2m:csr': { csi: '/id-mn', cb: '/id-mn/cse-mn', rr: true, cst: 2, srv: ['3'], poa: ['http://127.0.0.1:1'] },
    };
    const r = await send({ op: 1, to: 'cse-in', fr: '/id-mn', ty: 16, pc: body });
    expect(r.rsc, r.dbg).toBe(2001);
    expect((r.pc as any)['m2m:csr'].ri).toBe('id-mn');
    expect((await send({ op: 1, to: 'cse-in', fr: '/id-mn', ty: 16, pc: body })).rsc).toBe(4117);
    const spoof = await send({ op: 1, to: 'cse-in', fr: '/id-x', ty: 16, pc: body });
    expect(spoof.rsc).toBe(4000);
  });

  it('refuses a CSE originator without a security association (4107)', async () => {
    const { send } = await openTestCse();
    const r = await send({ op: 2, to: 'cse-in', fr: '/id-mn' });
    expect(r.rsc).toBe(4107);
  });
});

describe('subscriptions and notifications over HTTP', () => {
  let server: Server;
  let url: string;
  const received: any[] = [];
  let answer = 2000;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ from: req.headers['x-m2m-origin'], body: JSON.parse(body) });
        res.writeHead(200, { 'X-M2M-RSC': String(answer), 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const allowTestServer = () => ({ expirySweepMs: 0, notifications: { allowTargets: [new URL(url).host] } });

  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('verifies the target, then notifies child creation, update and deletion', async () => {
    // Loopback targets are refused unless allowed (notification target policy): allow the test server only.
    const { send, registerAe } = await openTestCse({ senders: [new HttpRequestSender()], config: allowTestServer() });
    await registerAe('Cs');
    await send({ op: 1, to: 'cse-in/Cs', fr: 'Cs', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const sub = await send({
      op: 1,
      to: 'cse-in/Cs/box',
      fr: 'Cs',
      ty: 23,
      // The deletion notice goes to the subscriberURI (TS-0004 7.5.1.2.4), not to the nu.
      pc: { 'm2m:sub': { rn: 's', nu: [url], su: url, enc: { net: [1, 3] } } },
    });
    expect(sub.rsc, sub.dbg).toBe(2001);
    expect(received[0].body['m2m:sgn']).toMatchObject({ vrq: true, cr: '/id-in/Cs' });
    expect(received[0].from).toBe('/id-in');
    await send({ op: 1, to: 'cse-in/Cs/box', fr: 'Cs', ty: 4, pc: { 'm2m:cin': { con: 'hello' } } });
    await until(() => received.length >= 2);
    expect(received[1].body['m2m:sgn'].nev).toMatchObject({ net: 3, rep: { 'm2m:cin': { con: 'hello' } } });
    await send({ op: 3, to: 'cse-in/Cs/box', fr: 'Cs', pc: { 'm2m:cnt': { lbl: ['x'] } } });
    await until(() => received.length >= 3);
    expect(received[2].body['m2m:sgn'].nev.net).toBe(1);
    await send({ op: 4, to: 'cse-in/Cs/box/s', fr: 'Cs' });
    await until(() => received.length >= 4);
    expect(received[3].body['m2m:sgn']).toMatchObject({ sud: true });
  });

  it('refuses the subscription with 5204 when verification fails and creates nothing', async () => {
    // Loopback targets are refused unless allowed (notification target policy): allow the test server only.
    const { send, registerAe } = await openTestCse({ senders: [new HttpRequestSender()], config: allowTestServer() });
    await registerAe('Cv');
    answer = 4103;
    const r = await send({ op: 1, to: 'cse-in/Cv', fr: 'Cv', ty: 23, pc: { 'm2m:sub': { rn: 's', nu: [url] } } });
    answer = 2000;
    expect(r.rsc).toBe(5204);
    expect((await send({ op: 2, to: 'cse-in/Cv/s', fr: 'Cv' })).rsc).toBe(4004);
    const unreachable = await send({
      op: 1,
      to: 'cse-in/Cv',
      fr: 'Cv',
      ty: 23,
      pc: { 'm2m:sub': { nu: ['http://127.0.0.1:9/x'] } },
    });
    expect(unreachable.rsc).toBe(5204);
  });
});
