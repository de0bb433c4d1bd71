// Retargeting (TS-0004 7.3.2.6, TS-0001 8.2.1.1) and the receiver rules for relayed originators
// (TS-0004 7.3.2.1) between an IN-CSE and an MN-CSE in one process.
import { createServer, type Server } from 'node:net';
import { HttpRequestSender } from '@m2msec/binding-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Node, openNode, register, remoteCse } from './retarget-world.js';

let inCse: Node;
let mn: Node;

const acp = (rn: string, rules: Array<[string[], number]>) => ({
  'm2m:acp': {
    rn,
    pv: { acr: rules.map(([acor, acop]) => ({ acor, acop })) },
    pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
  },
});

beforeAll(async () => {
  inCse = await openNode('/id-in', 'cse-in', 1);
  mn = await openNode('/id-mn', 'cse-mn', 2, { config: { registrarCseId: '/id-in' } });
  await register(mn, '/id-mn', 'cse-mn', inCse, '/id-in', 'cse-in');
  // At the IN-CSE: a container the MN's AE may write and one IN AE may read.
  for (const ae of ['Cae2', 'Cae3']) {
    const r = await inCse.send({
      op: 1,
      to: 'cse-in',
      fr: ae,
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } },
    });
    expect(r.rsc, r.dbg).toBe(2001);
  }
  expect(
    (
      await inCse.send({
        op: 1,
        to: 'cse-in',
        fr: 'CAdmin',
        ty: 1,
        pc: acp('acpData', [
          [['/id-mn/Cae1'], 63],
          [['Cae2'], 2],
        ]),
      })
    ).rsc,
  ).toBe(2001);
  const data = await inCse.send({
    op: 1,
    to: 'cse-in',
    fr: 'CAdmin',
    ty: 3,
    pc: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpData'] } },
  });
  expect(data.rsc, data.dbg).toBe(2001);
  // At the MN-CSE: its AE with a container the IN's Cae2 may read.
  const ae1 = await mn.send({
    op: 1,
    to: 'cse-mn',
    fr: 'Cae1',
    ty: 2,
    pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } },
  });
  expect(ae1.rsc, ae1.dbg).toBe(2001);
  expect(
    (
      await mn.send({
        op: 1,
        to: 'cse-mn/Cae1',
        fr: 'Cae1',
        ty: 1,
        pc: acp('acpLocal', [
          [['/id-mn/Cae1'], 63],
          [['/id-in/Cae2'], 2],
        ]),
      })
    ).rsc,
  ).toBe(2001);
  const cnt = await mn.send({
    op: 1,
    to: 'cse-mn/Cae1',
    fr: 'Cae1',
    ty: 3,
    pc: { 'm2m:cnt': { rn: 'local', acpi: ['cse-mn/Cae1/acpLocal'] } },
  });
  expect(cnt.rsc, cnt.dbg).toBe(2001);
  expect(
    (await mn.send({ op: 1, to: 'cse-mn/Cae1/local', fr: 'Cae1', ty: 4, pc: { 'm2m:cin': { con: 'at-mn' } } })).rsc,
  ).toBe(2001);
});

describe('up: AE -> MN-CSE -> IN-CSE', () => {
  it('forwards a CREATE to its registrar with From made SP-relative; the IN-CSE decides access', async () => {
    const before = mn.sender.sent.length;
    const r = await mn.send({
      op: 1,
      to: '/id-in/cse-in/data',
      fr: 'Cae1',
      ty: 4,
      pc: { 'm2m:cin': { con: 'hello' } },
    });
    expect(r.rsc, r.dbg).toBe(2001);
    expect((r.pc as any)['m2m:cin'].con).toBe('hello');
    const sent = mn.sender.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.fr).toBe('/id-mn/Cae1');
    expect(sent[0]!.to).toBe('/id-in/cse-in/data');
    const read = await inCse.send({ op: 2, to: 'cse-in/data/la', fr: 'Cae2' });
    expect(read.rsc, read.dbg).toBe(2000);
    expect((read.pc as any)['m2m:cin'].con).toBe('hello');
    expect((await inCse.send({ op: 2, to: 'cse-in/data/la', fr: 'Cae3' })).rsc).toBe(4103);
  });

  it('relays the hosting CSE refusal unchanged (4103)', async () => {
    const r = await mn.send({ op: 1, to: '/id-in/cse-in', fr: 'Cae1', ty: 3, pc: { 'm2m:cnt': { rn: 'x' } } });
    expect(r.rsc).toBe(4103);
  });

  it('an unknown CSE goes up to the IN-CSE, which answers 4004', async () => {
    const r = await mn.send({ op: 2, to: '/id-nowhere/cse', fr: 'Cae1' });
    expect(r.rsc).toBe(4004);
    expect(r.dbg).toMatch(/id-nowhere.*not registered to this IN-CSE/);
  });
});

describe('down: AE -> IN-CSE -> MN-CSE through the <remoteCSE> poa', () => {
  it('retrieves from the MN-CSE for an AE its ACP allows, 4103 for one it does not', async () => {
    const ok = await inCse.send({ op: 2, to: '/id-mn/cse-mn/Cae1/local/la', fr: 'Cae2' });
    expect(ok.rsc, ok.dbg).toBe(2000);
    expect((ok.pc as any)['m2m:cin'].con).toBe('at-mn');
    expect(inCse.sender.sent.at(-1)!.fr).toBe('/id-in/Cae2');
    const no = await inCse.send({ op: 2, to: '/id-mn/cse-mn/Cae1/local/la', fr: 'Cae3' });
    expect(no.rsc).toBe(4103);
  });

  it('a request from the registrar for a CSE the MN-CSE does not know is 4004, never sent back up', async () => {
    const before = mn.sender.sent.length;
    const r = await mn.sendAs('/id-in', { op: 2, to: '/id-other/cse', fr: '/id-in/Cae2' });
    expect(r.rsc).toBe(4004);
    expect(mn.sender.sent.length).toBe(before);
  });
});

describe('descendantCSEs: two hops down (IN-CSE -> MN-CSE -> ASN-CSE)', () => {
  it('the MN-CSE tells the IN-CSE about a CSE registered to it; the IN-CSE routes by dcse', async () => {
    const asn = await openNode('/id-asn', 'cse-asn', 3, { config: { registrarCseId: '/id-mn' } });
    await register(asn, '/id-asn', 'cse-asn', mn, '/id-mn', 'cse-mn', 3, 2);
    await mn.cse.syncDescendants();
    expect(await mn.cse.descendantCseIds()).toContain('/id-asn');
    const csr = await inCse.send({ op: 2, to: 'cse-in/id-mn', fr: 'CAdmin' });
    expect((csr.pc as any)['m2m:csr'].dcse).toContain('/id-asn');

    expect(
      (
        await asn.send({
          op: 1,
          to: 'cse-asn',
          fr: 'Cdev',
          ty: 2,
          pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } },
        })
      ).rsc,
    ).toBe(2001);
    expect(
      (
        await asn.send({
          op: 1,
          to: 'cse-asn/Cdev',
          fr: 'Cdev',
          ty: 1,
          pc: acp('a', [
            [['/id-asn/Cdev'], 63],
            [['/id-in/Cae2'], 2],
          ]),
        })
      ).rsc,
    ).toBe(2001);
    expect(
      (
        await asn.send({
          op: 1,
          to: 'cse-asn/Cdev',
          fr: 'Cdev',
          ty: 3,
          pc: { 'm2m:cnt': { rn: 'c', acpi: ['cse-asn/Cdev/a'] } },
        })
      ).rsc,
    ).toBe(2001);
    expect(
      (await asn.send({ op: 1, to: 'cse-asn/Cdev/c', fr: 'Cdev', ty: 4, pc: { 'm2m:cin': { con: 'deep' } } })).rsc,
    ).toBe(2001);
    const r = await inCse.send({ op: 2, to: '/id-asn/cse-asn/Cdev/c/la', fr: 'Cae2' });
    expect(r.rsc, r.dbg).toBe(2000);
    expect((r.pc as any)['m2m:cin'].con).toBe('deep');
    // And up again from the ASN-CSE's AE, two hops to the IN-CSE.
    const up = await asn.send({ op: 2, to: '/id-in/cse-in/data/la', fr: 'Cdev' });
    expect(up.rsc).toBe(4103); // reached the IN-CSE, whose ACP does not name /id-asn/Cdev

    // De-registration removes it from the IN-CSE's view.
    expect((await mn.sendAs('/id-asn', { op: 4, to: 'cse-mn/id-asn', fr: '/id-asn' })).rsc).toBe(2002);
    await mn.cse.syncDescendants();
    const after = await inCse.send({ op: 2, to: 'cse-in/id-mn', fr: 'CAdmin' });
    expect((after.pc as any)['m2m:csr'].dcse ?? []).not.toContain('/id-asn');
  });
});

describe('receiver rules for relayed originators (TS-0004 7.3.2.1)', () => {
  it('accepts an AE of the relaying CSE, not authenticated here (acaf rules would not match)', async () => {
    const r = await inCse.sendAs('/id-mn', { op: 2, to: 'cse-in/data/la', fr: '/id-mn/Cae1' });
    expect(r.rsc, r.dbg).toBe(2000);
  });

  it('refuses a CSE-relative AE-ID-Stem, this CSE own AEs and admin, and registrations through a CSE', async () => {
    const stem = await inCse.sendAs('/id-mn', { op: 2, to: 'cse-in/data/la', fr: 'Cae2' });
    expect(stem.rsc).toBe(4106);
    const own = await inCse.sendAs('/id-mn', { op: 2, to: 'cse-in/data/la', fr: '/id-in/Cae2' });
    expect(own.rsc).toBe(4106);
    expect(own.dbg).toMatch(/belongs to this CSE/);
    const admin = await inCse.sendAs('/id-mn', { op: 2, to: 'cse-in', fr: '/id-in/CAdmin' });
    expect(admin.rsc).toBe(4106);
    const reg = await inCse.sendAs('/id-mn', {
      op: 1,
      to: 'cse-in',
      fr: 'Cnew',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc).toBe(4000);
  });

  it('refuses an AE of another registree CSE', async () => {
    const other = await openNode('/id-mn2', 'cse-mn2', 2, { config: { registrarCseId: '/id-in' } });
    await register(other, '/id-mn2', 'cse-mn2', inCse, '/id-in', 'cse-in');
    const r = await inCse.sendAs('/id-mn', { op: 2, to: 'cse-in/data/la', fr: '/id-mn2/Cx' });
    expect(r.rsc).toBe(4106);
    expect(r.dbg).toMatch(/another registree/);
  });
});

describe('loops, expiry and unreachable hops', () => {
  it('detects a request that comes back to a CSE still forwarding it (5103)', async () => {
    // Misconfiguration: the IN-CSE thinks /id-loop is below the MN-CSE, the MN-CSE sends it back up.
    const upd = await inCse.sendAs('/id-mn', {
      op: 3,
      to: 'cse-in/id-mn',
      fr: '/id-mn',
      pc: { 'm2m:csr': { dcse: ['/id-loop'] } },
    });
    expect(upd.rsc, upd.dbg).toBe(2004);
    const bad = await mn.sendAs('/id-loop', {
      op: 1,
      to: 'cse-mn',
      fr: '/id-loop',
      ty: 16,
      pc: remoteCse('/id-loop', '/id-loop/cse', 2, ['inproc://id-in']),
    });
    expect(bad.rsc, bad.dbg).toBe(2001);
    const r = await inCse.send({ op: 2, to: '/id-loop/cse', fr: 'Cae2' });
    expect(r.rsc).toBe(5103);
    expect(r.dbg).toMatch(/forwarding loop/);
  });

  it('refuses to forward a request whose expiry time has passed (4008)', async () => {
    const before = mn.sender.sent.length;
    const r = await mn.send({ op: 2, to: '/id-in/cse-in/data', fr: 'Cae1', rqet: '20200101T000000' });
    expect(r.rsc).toBe(4008);
    expect(mn.sender.sent.length).toBe(before);
  });

  it('forwards a relative expiry as an absolute time', async () => {
    const r = await mn.send({ op: 2, to: '/id-in/cse-in/data/la', fr: 'Cae1', rqet: '60000' });
    expect(r.rsc, r.dbg).toBe(2000);
    expect(mn.sender.sent.at(-1)!.rqet).toMatch(/^\d{8}T\d{6}/);
  });
});

describe('over HTTP: 5103 when the registrar is unreachable, 4008 when it does not answer', () => {
  let silent: Server;
  let silentPort: number;
  let closedPort: number;
  const sender = new HttpRequestSender();
  beforeAll(async () => {
    silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    silentPort = (silent.address() as { port: number }).port;
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
  });
  afterAll(() => {
    silent.close();
    sender.close();
  });

  async function mnWithRegistrarAt(url: string, csi: string) {
    const node = await openNode(csi, 'cse', 2, {
      retargetSenders: [sender],
      config: { registrarCseId: '/id-in', requestTimeoutMs: 500 },
    });
    await node.cse.recordRegistrar({ csi: '/id-in', cb: '/id-in/cse-in', cst: 1, poa: [url] });
    expect(
      (await node.send({ op: 1, to: 'cse', fr: 'Cae9', ty: 2, pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } } }))
        .rsc,
    ).toBe(2001);
    return node;
  }

  it('connection refused -> 5103 naming the CSE', async () => {
    const node = await mnWithRegistrarAt(`http://127.0.0.1:${closedPort}`, '/id-mn-closed');
    const r = await node.send({ op: 2, to: '/id-in/cse-in', fr: 'Cae9' });
    expect(r.rsc).toBe(5103);
    expect(r.dbg).toMatch(/forwarding to CSE '\/id-in' failed: .*not reachable/);
  });

  it('no answer -> 4008 REQUEST_TIMEOUT with the time waited', async () => {
    const node = await mnWithRegistrarAt(`http://127.0.0.1:${silentPort}`, '/id-mn-silent');
    const r = await node.send({ op: 2, to: '/id-in/cse-in', fr: 'Cae9' });
    expect(r.rsc).toBe(4008);
    expect(r.dbg).toMatch(/forwarding to CSE '\/id-in' timed out: no response .* within 500 ms/);
  });

  it('retargetSendersFor picks the senders of one next hop (a credential per remote CSE)', async () => {
    const asked: string[] = [];
    const node = await openNode('/id-mn-per-hop', 'cse', 2, {
      retargetSenders: [],
      retargetSendersFor: (cseId) => {
        asked.push(cseId);
        return cseId === '/id-in' ? [sender] : undefined;
      },
      config: { registrarCseId: '/id-in', requestTimeoutMs: 500 },
    });
    await node.cse.recordRegistrar({
      csi: '/id-in',
      cb: '/id-in/cse-in',
      cst: 1,
      poa: [`http://127.0.0.1:${closedPort}`],
    });
    await node.send({ op: 1, to: 'cse', fr: 'Cae9', ty: 2, pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } } });
    const r = await node.send({ op: 2, to: '/id-in/cse-in', fr: 'Cae9' });
    expect(asked).toEqual(['/id-in']);
    expect(r.rsc).toBe(5103);
    expect(r.dbg).toMatch(/not reachable/); // the HTTP sender ran (no sender at all would say 'no sender')
  });

  it('without a <remoteCSE> for the registrar yet -> 5103 saying so', async () => {
    const node = await openNode('/id-mn-unreg', 'cse', 2, {
      retargetSenders: [sender],
      config: { registrarCseId: '/id-in' },
    });
    await node.send({ op: 1, to: 'cse', fr: 'Cae9', ty: 2, pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } } });
    const r = await node.send({ op: 2, to: '/id-in/cse-in', fr: 'Cae9' });
    expect(r.rsc).toBe(5103);
    expect(r.dbg).toMatch(/not registered to its registrar/);
  });
});
