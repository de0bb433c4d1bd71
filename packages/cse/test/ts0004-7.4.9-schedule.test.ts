// TS-0004 7.4.9 <schedule>: scheduleElement checks, networkCoordinated only under a <node> (4102), and
// a <subscription>'s schedule deciding when its notifications may be sent (TS-0001 9.6.9).
import { HttpRequestSender } from '@m2msec/binding-http';
import { describe, expect, it } from 'vitest';
import { notificationReceiver, openCseOn, storeKinds, until } from './stores.js';

const admin = 'CAdmin';
const se = (...sce: string[]) => ({ sce });

describe.each(storeKinds)('TS-0004 7.4.9 <schedule> [%s]', (kind) => {
  it('CRUD under the CSEBase and a node; scheduleElement entries checked (4000); nco only under a node (4102)', async () => {
    const { send } = await openCseOn(kind);
    const mk = (to: string, attrs: Record<string, unknown>) =>
      send({ op: 1, to, fr: admin, ty: 18, pc: { 'm2m:sch': attrs } });
    const c = await mk('cse-in', { rn: 'avail', se: se('* * 8-20 * * 1-5 *') });
    expect(c.rsc, c.dbg).toBe(2001);
    expect(c.pc).toMatchObject({ 'm2m:sch': { ty: 18, se: { sce: ['* * 8-20 * * 1-5 *'] } } });
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: 'urn:x' } } });
    const onNode = await mk('cse-in/node1', { rn: 'nw', se: se('* 0-5 2,6,10 * * * *'), nco: true });
    expect(onNode.rsc, onNode.dbg).toBe(2001);
    const nco = await mk('cse-in', { se: se('* * * * * * *'), nco: false });
    expect([nco.rsc, nco.dbg]).toEqual([4102, 'networkCoordinated (nco) applies only to the schedule of a <node>']);
    const ncoUpdate = await send({ op: 3, to: 'cse-in/avail', fr: admin, pc: { 'm2m:sch': { nco: true } } });
    expect(ncoUpdate.rsc).toBe(4102);
    const cases: Array<[unknown, string]> = [
      [se('* * * * * *'), "scheduleElement (se) sce[0] '* * * * * *' must have 7 fields"],
      [se('* * * * * * *', '61 * * * * * *'), 'scheduleElement (se) sce[1]'],
      [{ sce: [] }, "attribute 'se' of m2m:sch must be an m2m:scheduleEntries"],
      [['* * * * * * *'], "attribute 'se' of m2m:sch must be an m2m:scheduleEntries"],
    ];
    for (const [value, msg] of cases) {
      const r = await mk('cse-in', { se: value });
      expect(r.rsc, msg).toBe(4000);
      expect(r.dbg).toContain(msg);
    }
    expect((await mk('cse-in', {})).dbg).toBe("missing mandatory attribute 'se' in m2m:sch");
    const bad = await send({ op: 3, to: 'cse-in/avail', fr: admin, pc: { 'm2m:sch': { se: se('x * * * * * *') } } });
    expect(bad.rsc).toBe(4000);
    const ok = await send({ op: 3, to: 'cse-in/avail', fr: admin, pc: { 'm2m:sch': { se: se('* * * * * * *') } } });
    expect(ok.rsc, ok.dbg).toBe(2004);
    expect((await send({ op: 4, to: 'cse-in/avail', fr: admin })).rsc).toBe(2002);
    const underSchedule = await send({
      op: 1,
      to: 'cse-in/node1/nw',
      fr: admin,
      ty: 18,
      pc: { 'm2m:sch': { se: se('* * * * * * *') } },
    });
    expect(underSchedule.rsc).toBe(4108);
  });

  it('a <schedule> is subscribable: its update is notified (net 1)', async () => {
    const { url, events } = await notificationReceiver();
    const { send } = await openCseOn(kind, { senders: [new HttpRequestSender()] });
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 18, pc: { 'm2m:sch': { rn: 'avail', se: se('* * * * * * *') } } });
    const sub = await send({ op: 1, to: 'cse-in/avail', fr: admin, ty: 23, pc: { 'm2m:sub': { nu: [url] } } });
    expect(sub.rsc, sub.dbg).toBe(2001);
    await send({ op: 3, to: 'cse-in/avail', fr: admin, pc: { 'm2m:sch': { se: se('* * 8-20 * * * *') } } });
    await until(() => events().length >= 1);
    expect(events()[0]!.body['m2m:sgn'].nev).toMatchObject({
      net: 1,
      rep: { 'm2m:sch': { se: { sce: ['* * 8-20 * * * *'] } } },
    });
  });

  it('a subscription sends its notifications only inside the windows of its <schedule>', async () => {
    const { url, events } = await notificationReceiver();
    const { send, registerAe } = await openCseOn(kind, { senders: [new HttpRequestSender()] });
    await registerAe('Csch');
    await send({ op: 1, to: 'cse-in/Csch', fr: 'Csch', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const sub = await send({
      op: 1,
      to: 'cse-in/Csch/box',
      fr: 'Csch',
      ty: 23,
      pc: { 'm2m:sub': { rn: 's', nu: [url], enc: { net: [3] } } },
    });
    expect(sub.rsc, sub.dbg).toBe(2001);
    const cin = (con: string) => send({ op: 1, to: 'cse-in/Csch/box', fr: 'Csch', ty: 4, pc: { 'm2m:cin': { con } } });
    // A window that never opens again (the year 2000).
    const sch = await send({
      op: 1,
      to: 'cse-in/Csch/box/s',
      fr: 'Csch',
      ty: 18,
      pc: { 'm2m:sch': { rn: 'window', se: se('* * * * * * 2000') } },
    });
    expect(sch.rsc, sch.dbg).toBe(2001);
    await cin('outside');
    await new Promise((r) => setTimeout(r, 300));
    expect(events()).toEqual([]);
    await send({ op: 3, to: 'cse-in/Csch/box/s/window', fr: 'Csch', pc: { 'm2m:sch': { se: se('* * * * * * *') } } });
    await cin('inside');
    await until(() => events().length >= 1);
    expect(events().map((e) => e.body['m2m:sgn'].nev.rep['m2m:cin'].con)).toEqual(['inside']);
  });
});
