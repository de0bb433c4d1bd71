// TS-0004 7.4.21 <pollingChannel> and 7.4.22 <pollingChannelURI>: long polling, so an AE without a
// reachable point of access still receives notifications (TS-0001 10.2.5.12).
import { describe, expect, it } from 'vitest';
import { openCseOn, storeKinds } from './stores.js';

const acr = (acor: string[], acop = 63) => ({ acr: [{ acor, acop }] });

describe.each(storeKinds)('TS-0004 7.4.21 <pollingChannel> [%s]', (kind) => {
  it('CRUD by the AE it belongs to; pcu cannot be updated or deleted (4005), no child under other types (4108)', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cpoll');
    const c = await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { rn: 'pch' } } });
    expect(c.rsc, c.dbg).toBe(2001);
    expect(c.pc).toMatchObject({ 'm2m:pch': { ty: 15, rn: 'pch' } });
    expect((await send({ op: 2, to: 'cse-in/Cpoll/pch', fr: 'Cpoll' })).rsc).toBe(2000);
    const u = await send({ op: 3, to: 'cse-in/Cpoll/pch', fr: 'Cpoll', pc: { 'm2m:pch': { lbl: ['x'] } } });
    expect(u.rsc, u.dbg).toBe(2004);
    const acpi = await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { acpi: ['x'] } } });
    expect([acpi.rsc, acpi.dbg]).toEqual([4000, "unknown attribute 'acpi' in m2m:pch"]);
    const pcu = await send({ op: 3, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', pc: { 'm2m:pch': { lbl: ['y'] } } });
    expect(pcu.rsc).toBe(4005);
    expect((await send({ op: 4, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll' })).rsc).toBe(4005);
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    expect((await send({ op: 1, to: 'cse-in/Cpoll/box', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': {} } })).rsc).toBe(4108);
    expect((await send({ op: 4, to: 'cse-in/Cpoll/pch', fr: 'Cpoll' })).rsc).toBe(2002);
  });

  it('attack: an AE the parent ACP lets in still cannot create, read, poll or delete the channel of another AE (4103)', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cpoll');
    await registerAe('Cother');
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { rn: 'pch' } } });
    // Cpoll's own policy gives everyone every operation on the <AE> (and so on its acpi-less children).
    const acp = await send({
      op: 1,
      to: 'cse-in/Cpoll',
      fr: 'Cpoll',
      ty: 1,
      pc: { 'm2m:acp': { rn: 'open', pv: acr(['all']), pvs: acr(['/id-in/Cpoll']) } },
    });
    expect(acp.rsc, acp.dbg).toBe(2001);
    const link = await send({
      op: 3,
      to: 'cse-in/Cpoll',
      fr: 'Cpoll',
      pc: { 'm2m:ae': { acpi: ['cse-in/Cpoll/open'] } },
    });
    expect(link.rsc, link.dbg).toBe(2004);
    // The ACP does let Cother in: a container under Cpoll can be created.
    expect((await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cother', ty: 3, pc: { 'm2m:cnt': {} } })).rsc).toBe(2001);
    const create = await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cother', ty: 15, pc: { 'm2m:pch': {} } });
    expect([create.rsc, create.dbg]).toEqual([
      4103,
      "originator '/id-in/Cother' is not the AE or CSE of this pollingChannel",
    ]);
    expect((await send({ op: 2, to: 'cse-in/Cpoll/pch', fr: 'Cother' })).rsc).toBe(4103);
    expect((await send({ op: 3, to: 'cse-in/Cpoll/pch', fr: 'Cother', pc: { 'm2m:pch': { lbl: ['x'] } } })).rsc).toBe(
      4103,
    );
    expect((await send({ op: 2, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cother', rqet: '200' })).rsc).toBe(4103);
    const notify = await send({
      op: 5,
      to: 'cse-in/Cpoll/pch/pcu',
      fr: 'Cother',
      pc: { 'm2m:rsp': { rsc: 2000, rqi: 'x' } },
    });
    expect(notify.rsc).toBe(4103);
    expect((await send({ op: 4, to: 'cse-in/Cpoll/pch', fr: 'Cother' })).rsc).toBe(4103);
    // Nor does it see the channel among the AE's children.
    const children = await send({ op: 2, to: 'cse-in/Cpoll', fr: 'Cother', rcn: 6 });
    expect(children.rsc, children.dbg).toBe(2000);
    expect((children.pc as any)['m2m:rrl'].rrf.map((r: any) => r.typ)).toEqual([3]);
    expect((await send({ op: 2, to: 'cse-in/Cpoll/pch', fr: 'Cpoll' })).rsc).toBe(2000);
  });
});

describe.each(storeKinds)('TS-0004 7.4.22 <pollingChannelURI> long polling [%s]', (kind) => {
  it('a long poll with nothing pending ends with 4008 REQUEST_TIMEOUT at its rqet', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cpoll');
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { rn: 'pch' } } });
    const started = Date.now();
    const r = await send({ op: 2, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', rqet: '300' });
    expect(r.rsc).toBe(4008);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('delivers a notification to an AE without poa through its channel; the response NOTIFYed back is matched by rqi', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cpoll');
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { rn: 'pch' } } });
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const sub = await send({
      op: 1,
      to: 'cse-in/Cpoll/box',
      fr: 'Cpoll',
      ty: 23,
      pc: { 'm2m:sub': { rn: 's', nu: ['/id-in/Cpoll'], enc: { net: [3] } } },
    });
    expect(sub.rsc, sub.dbg).toBe(2001);
    const poll = send({ op: 2, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', rqet: '5000' });
    await send({ op: 1, to: 'cse-in/Cpoll/box', fr: 'Cpoll', ty: 4, pc: { 'm2m:cin': { con: 'hello' } } });
    const got = await poll;
    expect(got.rsc, got.dbg).toBe(2000);
    const rqp = (got.pc as any)['m2m:rqp'];
    expect(rqp).toMatchObject({ op: 5, to: '/id-in/Cpoll', fr: '/id-in' });
    expect(rqp.pc['m2m:sgn']).toMatchObject({ nev: { net: 3, rep: { 'm2m:cin': { con: 'hello' } } } });
    const ack = await send({
      op: 5,
      to: 'cse-in/Cpoll/pch/pcu',
      fr: 'Cpoll',
      pc: { 'm2m:rsp': { rsc: 2000, rqi: rqp.rqi } },
    });
    expect(ack.rsc, ack.dbg).toBe(2000);
    // A response no request awaits (replayed or made up) is refused.
    const again = await send({
      op: 5,
      to: 'cse-in/Cpoll/pch/pcu',
      fr: 'Cpoll',
      pc: { 'm2m:rsp': { rsc: 2000, rqi: rqp.rqi } },
    });
    expect(again.rsc).toBe(4004);
    const bad = await send({ op: 5, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', pc: { 'm2m:sgn': {} } });
    expect(bad.rsc).toBe(4000);
    // A notification queued while nobody polls is handed to the next poll.
    await send({ op: 1, to: 'cse-in/Cpoll/box', fr: 'Cpoll', ty: 4, pc: { 'm2m:cin': { con: 'later' } } });
    await new Promise((r) => setTimeout(r, 100));
    const next = await send({ op: 2, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', rqet: '2000' });
    expect((next.pc as any)['m2m:rqp'].pc['m2m:sgn'].nev.rep['m2m:cin'].con).toBe('later');
  });

  it('the verification request of another AE subscription reaches the polling AE, and its answer decides (2001 / 5204)', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cpoll');
    await registerAe('Csub');
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { rn: 'pch' } } });
    await send({ op: 1, to: 'cse-in/Csub', fr: 'Csub', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const answerWith = async (rsc: number) => {
      const got = await send({ op: 2, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', rqet: '3000' });
      expect(got.rsc, got.dbg).toBe(2000);
      const rqp = (got.pc as any)['m2m:rqp'];
      expect(rqp.pc['m2m:sgn']).toMatchObject({ vrq: true, cr: '/id-in/Csub' });
      await send({ op: 5, to: 'cse-in/Cpoll/pch/pcu', fr: 'Cpoll', pc: { 'm2m:rsp': { rsc, rqi: rqp.rqi } } });
    };
    const subscribe = (rn: string) =>
      send({ op: 1, to: 'cse-in/Csub/box', fr: 'Csub', ty: 23, pc: { 'm2m:sub': { rn, nu: ['/id-in/Cpoll'] } } });
    const [ok] = await Promise.all([subscribe('yes'), answerWith(2000)]);
    expect(ok.rsc, ok.dbg).toBe(2001);
    const [refused] = await Promise.all([subscribe('no'), answerWith(4103)]);
    expect(refused.rsc).toBe(5204);
    expect((await send({ op: 2, to: 'cse-in/Csub/box/no', fr: 'Csub' })).rsc).toBe(4004);
  });

  it('deleting the channel fails the requests waiting on it at once (5204), not at their timeout', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cpoll');
    await registerAe('Csub');
    await send({ op: 1, to: 'cse-in/Cpoll', fr: 'Cpoll', ty: 15, pc: { 'm2m:pch': { rn: 'pch' } } });
    await send({ op: 1, to: 'cse-in/Csub', fr: 'Csub', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const started = Date.now();
    const pending = send({
      op: 1,
      to: 'cse-in/Csub/box',
      fr: 'Csub',
      ty: 23,
      pc: { 'm2m:sub': { nu: ['/id-in/Cpoll'] } },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await send({ op: 4, to: 'cse-in/Cpoll/pch', fr: 'Cpoll' })).rsc).toBe(2002);
    const r = await pending;
    expect(r.rsc).toBe(5204);
    // One text for every unreachable target (no SSRF / port oracle; notifications/target-policy.ts).
    expect(r.dbg).toContain('notification target is not reachable');
    expect(Date.now() - started).toBeLessThan(3000); // the notifier would wait 5 s
  });

  it('without a pollingChannel an AE without poa stays unreachable (5204), with no request queued', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cnopoll');
    await registerAe('Csub');
    await send({ op: 1, to: 'cse-in/Csub', fr: 'Csub', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const sub = await send({
      op: 1,
      to: 'cse-in/Csub/box',
      fr: 'Csub',
      ty: 23,
      pc: { 'm2m:sub': { nu: ['/id-in/Cnopoll'] } },
    });
    expect(sub.rsc).toBe(5204);
    expect(sub.dbg).toContain('notification target is not reachable');
  });
});
