// TS-0004 7.4.37 <flexContainer>: containerDefinition checks (4125 unknown, 4000 invalid), contentSize,
// stateTag, parents and notifications under the specialization root.
import { HttpRequestSender } from '@m2msec/binding-http';
import { describe, expect, it } from 'vitest';
import { notificationReceiver, openCseOn, storeKinds, until } from './stores.js';

const binarySwitch = 'org.onem2m.common.moduleclass.binarySwitch';
const temperature = 'org.onem2m.common.moduleclass.temperature';

describe.each(storeKinds)('TS-0004 7.4.37 <flexContainer> [%s]', (kind) => {
  it('CRUD of a specialization: cs is the byte size of the custom attributes, st counts updates', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cflex');
    const c = await send({
      op: 1,
      to: 'cse-in/Cflex',
      fr: 'Cflex',
      ty: 28,
      pc: { 'cod:binSh': { rn: 'light', cnd: binarySwitch, powSe: false } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    expect(c.pc).toEqual({
      'cod:binSh': expect.objectContaining({ ty: 28, cnd: binarySwitch, powSe: false, cs: 5, st: 0 }),
    });
    const u = await send({ op: 3, to: 'cse-in/Cflex/light', fr: 'Cflex', pc: { 'cod:binSh': { powSe: true } } });
    expect(u.rsc, u.dbg).toBe(2004);
    expect(u.pc).toMatchObject({ 'cod:binSh': { powSe: true, cs: 4, st: 1 } });
    const t = await send({
      op: 1,
      to: 'cse-in/Cflex',
      fr: 'Cflex',
      ty: 28,
      pc: { 'cod:tempe': { rn: 't', cnd: temperature, curT0: 21.5, unit: 1 } },
    });
    expect(t.rsc, t.dbg).toBe(2001);
    expect((t.pc as any)['cod:tempe'].cs).toBe(5); // '21.5' + '1'
    const del = await send({ op: 3, to: 'cse-in/Cflex/t', fr: 'Cflex', pc: { 'cod:tempe': { unit: null } } });
    expect(del.rsc, del.dbg).toBe(2004);
    expect((del.pc as any)['cod:tempe']).not.toHaveProperty('unit');
    expect((del.pc as any)['cod:tempe'].cs).toBe(4);
    const nested = await send({
      op: 1,
      to: 'cse-in/Cflex/light',
      fr: 'Cflex',
      ty: 28,
      pc: { 'cod:tempe': { rn: 'inner', cnd: temperature, curT0: 1 } },
    });
    expect(nested.rsc, nested.dbg).toBe(2001);
    const r = await send({ op: 2, to: 'cse-in/Cflex/light', fr: 'Cflex', rcn: 4 });
    expect((r.pc as any)['cod:binSh']['cod:tempe'][0].rn).toBe('inner');
    expect((await send({ op: 4, to: 'cse-in/Cflex/light', fr: 'Cflex' })).rsc).toBe(2002);
    expect((await send({ op: 2, to: 'cse-in/Cflex/light/inner', fr: 'Cflex' })).rsc).toBe(4004);
  });

  it('refuses an unknown containerDefinition with 4125 and invalid content with 4000, creating nothing', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cflex');
    // pc is deliberately any value: malformed contents must reach the validator.
    const mk = (pc: unknown) =>
      send({ op: 1, to: 'cse-in/Cflex', fr: 'Cflex', ty: 28, pc: pc as Record<string, unknown> });
    const unknown = await mk({ 'ex:thing': { rn: 'x', cnd: 'org.example.unknown', foo: 1 } });
    expect([unknown.rsc, unknown.dbg]).toEqual([
      4125,
      "containerDefinition 'org.example.unknown' is not known to this CSE",
    ]);
    const cases: Array<[unknown, string]> = [
      [
        { 'cod:binSh': { rn: 'x', cnd: binarySwitch, powSe: true, colour: 'red' } },
        "unknown attribute 'colour' in cod:binSh",
      ],
      [
        { 'cod:binSh': { rn: 'x', cnd: binarySwitch, powSe: 'on' } },
        "attribute 'powSe' of cod:binSh must be a boolean",
      ],
      [{ 'cod:binSh': { rn: 'x', cnd: binarySwitch } }, "missing mandatory attribute 'powSe' in cod:binSh"],
      [
        { 'cod:binSh': { rn: 'x', cnd: temperature, powSe: true } },
        `cnd '${temperature}' does not match the root cod:binSh`,
      ],
      [{ 'cod:binSh': { rn: 'x', powSe: true } }, "missing mandatory attribute 'cnd' in cod:binSh"],
      [
        { 'cod:binSh': { rn: 'x', cnd: binarySwitch, powSe: true, cs: 3 } },
        "attribute 'cs' of cod:binSh is not permitted in CREATE",
      ],
      [
        { 'm2m:fcnt': { rn: 'x', cnd: binarySwitch, powSe: true } },
        "content root 'm2m:fcnt' is not a flexContainer specialization",
      ],
    ];
    for (const [pc, msg] of cases) {
      const r = await mk(pc);
      expect(r.rsc, msg).toBe(4000);
      expect(r.dbg).toContain(msg);
    }
    expect((await send({ op: 2, to: 'cse-in/Cflex/x', fr: 'Cflex' })).rsc).toBe(4004);
  });

  it('UPDATE is validated against the resource own definition: cnd read-only, other roots and attributes refused', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cflex');
    await send({
      op: 1,
      to: 'cse-in/Cflex',
      fr: 'Cflex',
      ty: 28,
      pc: { 'cod:binSh': { rn: 'l', cnd: binarySwitch, powSe: false } },
    });
    const up = (pc: unknown) => send({ op: 3, to: 'cse-in/Cflex/l', fr: 'Cflex', pc: pc as Record<string, unknown> });
    const cnd = await up({ 'cod:binSh': { cnd: temperature } });
    expect([cnd.rsc, cnd.dbg]).toEqual([4000, "attribute 'cnd' of cod:binSh is not permitted in UPDATE"]);
    const other = await up({ 'cod:tempe': { curT0: 3 } });
    expect([other.rsc, other.dbg]).toEqual([
      4000,
      "content root 'cod:tempe' does not match the resource's specialization (expected cod:binSh)",
    ]);
    expect((await up({ 'cod:binSh': { curT0: 3 } })).rsc).toBe(4000);
    expect((await up({ 'cod:binSh': { powSe: null } })).rsc).toBe(4000); // mandatory: cannot be deleted
    const r = await send({ op: 2, to: 'cse-in/Cflex/l', fr: 'Cflex' });
    expect(r.pc).toMatchObject({ 'cod:binSh': { cnd: binarySwitch, powSe: false, st: 0 } });
  });

  it('parents: CSEBase, AE, container, flexContainer; not a contentInstance (4108); nodeLink checked', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cflex');
    await send({ op: 1, to: 'cse-in/Cflex', fr: 'Cflex', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    await send({ op: 1, to: 'cse-in/Cflex/box', fr: 'Cflex', ty: 4, pc: { 'm2m:cin': { rn: 'i', con: 'x' } } });
    const pc = (rn: string, extra = {}) => ({ 'cod:binSh': { rn, cnd: binarySwitch, powSe: true, ...extra } });
    expect((await send({ op: 1, to: 'cse-in/Cflex/box', fr: 'Cflex', ty: 28, pc: pc('f') })).rsc).toBe(2001);
    expect((await send({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 28, pc: pc('f') })).rsc).toBe(2001);
    expect((await send({ op: 1, to: 'cse-in/Cflex/box/i', fr: 'Cflex', ty: 28, pc: pc('g') })).rsc).toBe(4108);
    const nl = await send({ op: 1, to: 'cse-in/Cflex', fr: 'Cflex', ty: 28, pc: pc('h', { nl: 'cse-in/Cflex' }) });
    expect([nl.rsc, nl.dbg]).toEqual([4000, "nodeLink (nl) 'cse-in/Cflex' does not refer to a <node> resource"]);
  });

  it('notifies an update of a custom attribute under the specialization root', async () => {
    const { url, events } = await notificationReceiver();
    const { send, registerAe } = await openCseOn(kind, { senders: [new HttpRequestSender()] });
    await registerAe('Cflex');
    await send({
      op: 1,
      to: 'cse-in/Cflex',
      fr: 'Cflex',
      ty: 28,
      pc: { 'cod:binSh': { rn: 'l', cnd: binarySwitch, powSe: false } },
    });
    const s = await send({
      op: 1,
      to: 'cse-in/Cflex/l',
      fr: 'Cflex',
      ty: 23,
      pc: { 'm2m:sub': { rn: 's', nu: [url] } },
    });
    expect(s.rsc, s.dbg).toBe(2001);
    await send({ op: 3, to: 'cse-in/Cflex/l', fr: 'Cflex', pc: { 'cod:binSh': { powSe: true } } });
    await until(() => events().length >= 1);
    expect(events()[0]!.body['m2m:sgn'].nev).toMatchObject({ net: 1, rep: { 'cod:binSh': { powSe: true, st: 1 } } });
  });
});
