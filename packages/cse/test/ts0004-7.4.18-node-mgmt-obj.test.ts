// TS-0004 7.4.18 <node>, 7.4.15 <mgmtObj> with the Annex D specializations, and nodeLink (nl).
import { HttpRequestSender } from '@m2msec/binding-http';
import { describe, expect, it } from 'vitest';
import { notificationReceiver, openCseOn, storeKinds, until } from './stores.js';

const admin = 'CAdmin';
const imei = 'urn:gsma:imei:90420156-025763-0';

/** Minimal valid content of each Annex D specialization (its mandatory attributes). */
const specializations: Record<string, Record<string, unknown>> = {
  'm2m:fwr': { mgd: 1001, vr: '1.0', fwn: 'fw', url: 'http://127.0.0.1/fw.bin', ud: false },
  'm2m:swr': { mgd: 1002, vr: '2.1', swn: 'app', url: 'http://127.0.0.1/app.tgz' },
  'm2m:mem': { mgd: 1003, mma: 1024, mmt: 4096 },
  'm2m:ani': { mgd: 1004, ant: 'ZigBee' },
  'm2m:andi': { mgd: 1005, dvd: 'dev-1', dvt: 'sensor', awi: 'http://127.0.0.1/nwk' },
  'm2m:bat': { mgd: 1006, btl: 80, bts: 1 },
  'm2m:dvi': { mgd: 1007, dlb: 'serial-1', man: 'acme', mod: 'gw-100', dty: 'gateway' },
  'm2m:dvc': { mgd: 1008, can: 'camera', att: true, cas: { acn: 'enable', sus: 1 }, cus: true },
  'm2m:rbo': { mgd: 1009 },
  'm2m:evl': { mgd: 1010, lgt: 1, lgd: 'boot ok', lgst: 1 },
};

describe.each(storeKinds)('TS-0004 7.4.18 <node> [%s]', (kind) => {
  it('CRUD with attribute checks: ni mandatory, roamingStatus / networkID read-only, child of the CSEBase only', async () => {
    const { send, registerAe } = await openCseOn(kind);
    const c = await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    expect(c.rsc, c.dbg).toBe(2001);
    expect(c.pc).toMatchObject({ 'm2m:nod': { ni: imei, ty: 14, rn: 'node1' } });
    const r = await send({ op: 2, to: 'cse-in/node1', fr: admin });
    expect(r.pc).toMatchObject({ 'm2m:nod': { ni: imei } });
    const u = await send({ op: 3, to: 'cse-in/node1', fr: admin, pc: { 'm2m:nod': { mgca: 'coap://127.0.0.1' } } });
    expect(u.rsc, u.dbg).toBe(2004);
    expect(u.pc).toMatchObject({ 'm2m:nod': { mgca: 'coap://127.0.0.1' } });

    const missing = await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'n2' } } });
    expect([missing.rsc, missing.dbg]).toEqual([4000, "missing mandatory attribute 'ni' in m2m:nod"]);
    for (const [k, v] of [
      ['rms', true],
      ['nid', 'x'],
    ] as const) {
      const ro = await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { ni: imei, [k]: v } } });
      expect([ro.rsc, ro.dbg]).toEqual([4000, `attribute '${k}' of m2m:nod is not permitted in CREATE`]);
      const rou = await send({ op: 3, to: 'cse-in/node1', fr: admin, pc: { 'm2m:nod': { [k]: v } } });
      expect([rou.rsc, rou.dbg]).toEqual([4000, `attribute '${k}' of m2m:nod is not permitted in UPDATE`]);
    }
    await registerAe('Cnode');
    const under = await send({ op: 1, to: 'cse-in/Cnode', fr: 'Cnode', ty: 14, pc: { 'm2m:nod': { ni: imei } } });
    expect(under.rsc).toBe(4108);
    const d = await send({ op: 4, to: 'cse-in/node1', fr: admin });
    expect(d.rsc).toBe(2002);
    expect((await send({ op: 2, to: 'cse-in/node1', fr: admin })).rsc).toBe(4004);
  });

  it('only its creator (default policy) may change it: another AE gets 4103', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    await registerAe('Cintruder');
    const u = await send({ op: 3, to: 'cse-in/node1', fr: 'Cintruder', pc: { 'm2m:nod': { mgca: 'x' } } });
    expect(u.rsc).toBe(4103);
    expect((await send({ op: 4, to: 'cse-in/node1', fr: 'Cintruder' })).rsc).toBe(4103);
  });

  it('nodeLink (nl) of an <AE> must name a <node> of this CSE (4000 otherwise)', async () => {
    const { send } = await openCseOn(kind);
    const node = await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    const ri = (node.pc as any)['m2m:nod'].ri;
    const ae = (from: string, nl: string) =>
      send({ op: 1, to: 'cse-in', fr: from, ty: 2, pc: { 'm2m:ae': { api: 'Nx', rr: false, srv: ['3'], nl } } });
    const ok = await ae('Cwithnode', ri);
    expect(ok.rsc, ok.dbg).toBe(2001);
    expect(ok.pc).toMatchObject({ 'm2m:ae': { nl: ri } });
    const bad = await ae('Cbadnode', 'cse-in/nowhere');
    expect([bad.rsc, bad.dbg]).toEqual([4000, "nodeLink (nl) 'cse-in/nowhere' does not refer to a <node> resource"]);
    const notNode = await ae('Cnotnode', 'cse-in/Cwithnode');
    expect(notNode.rsc).toBe(4000);
    const upd = await send({ op: 3, to: 'cse-in/Cwithnode', fr: 'Cwithnode', pc: { 'm2m:ae': { nl: 'cse-in/x' } } });
    expect(upd.rsc).toBe(4000);
  });
});

describe.each(storeKinds)('TS-0004 7.4.15 <mgmtObj> and Annex D specializations [%s]', (kind) => {
  it('creates and retrieves each of the ten specializations under its own root (m2m:fwr ... m2m:evl)', async () => {
    const { send } = await openCseOn(kind);
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    for (const [root, attrs] of Object.entries(specializations)) {
      const rn = root.slice(4);
      const c = await send({ op: 1, to: 'cse-in/node1', fr: admin, ty: 13, pc: { [root]: { rn, ...attrs } } });
      expect(c.rsc, `${root}: ${c.dbg}`).toBe(2001);
      const r = await send({ op: 2, to: `cse-in/node1/${rn}`, fr: admin });
      expect(r.pc, root).toEqual({ [root]: expect.objectContaining({ ty: 13, ...attrs }) });
    }
    const all = await send({ op: 2, to: 'cse-in/node1', fr: admin, rcn: 4 });
    const body = (all.pc as any)['m2m:nod'];
    for (const root of Object.keys(specializations)) expect(body[root], root).toHaveLength(1);
  });

  it('refuses missing mandatory, not permitted and ill-typed attributes, a foreign root and a wrong parent', async () => {
    const { send } = await openCseOn(kind);
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    // pc is deliberately any value: malformed contents must reach the validator.
    const mk = (pc: unknown, to = 'cse-in/node1') =>
      send({ op: 1, to, fr: admin, ty: 13, pc: pc as Record<string, unknown> });
    const cases: Array<[unknown, string]> = [
      [{ 'm2m:bat': { mgd: 1006, btl: 80 } }, "missing mandatory attribute 'bts' in m2m:bat"],
      [
        { 'm2m:bat': { mgd: 1006, btl: 80, bts: 0 } },
        "attribute 'bts' of m2m:bat must be an m2m:batteryStatus value 1..7",
      ],
      [
        { 'm2m:fwr': { ...specializations['m2m:fwr'], uds: { sus: 1 } } },
        "attribute 'uds' of m2m:fwr is not permitted in CREATE",
      ],
      [
        { 'm2m:swr': { ...specializations['m2m:swr'], in: true } },
        "attribute 'in' of m2m:swr is not permitted in CREATE",
      ],
      [{ 'm2m:bat': { mgd: 1007, btl: 1, bts: 1 } }, "mgd '1007' does not match the root m2m:bat"],
      [{ 'm2m:mgo': { mgd: 1006 } }, "content root 'm2m:mgo' is not a mgmtObj specialization"],
      [{ 'm2m:bat': { mgd: 1006, btl: 1, bts: 1, foo: 1 } }, "unknown attribute 'foo' in m2m:bat"],
    ];
    for (const [pc, msg] of cases) {
      const r = await mk(pc);
      expect(r.rsc, msg).toBe(4000);
      expect(r.dbg).toContain(msg);
    }
    expect((await mk({ 'm2m:bat': specializations['m2m:bat'] }, 'cse-in')).rsc).toBe(4108);
    expect((await send({ op: 2, to: 'cse-in/node1', fr: admin, rcn: 4 })).pc).toEqual({
      'm2m:nod': expect.not.objectContaining({ 'm2m:bat': expect.anything() }),
    });
  });

  it('UPDATE: own root only, read-only attributes refused, install and uninstall never together (D.3.2.2)', async () => {
    const { send } = await openCseOn(kind);
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    await send({
      op: 1,
      to: 'cse-in/node1',
      fr: admin,
      ty: 13,
      pc: { 'm2m:swr': { rn: 'sw', ...specializations['m2m:swr'] } },
    });
    await send({
      op: 1,
      to: 'cse-in/node1',
      fr: admin,
      ty: 13,
      pc: { 'm2m:dvi': { rn: 'dvi', ...specializations['m2m:dvi'] } },
    });
    const up = (to: string, pc: unknown) =>
      send({ op: 3, to: `cse-in/node1/${to}`, fr: admin, pc: pc as Record<string, unknown> });
    const ok = await up('sw', { 'm2m:swr': { in: true } });
    expect(ok.rsc, ok.dbg).toBe(2004);
    expect(ok.pc).toMatchObject({ 'm2m:swr': { in: true } });
    const both = await up('sw', { 'm2m:swr': { in: true, un: true } });
    expect([both.rsc, both.dbg]).toEqual([4000, "[software] attributes 'in' and 'un' cannot both be true"]);
    expect((await up('sw', { 'm2m:swr': { act: true, dea: true } })).rsc).toBe(4000);
    const foreign = await up('sw', { 'm2m:dvi': { dlb: 'x' } });
    expect([foreign.rsc, foreign.dbg]).toEqual([
      4000,
      "content root 'm2m:dvi' does not match the resource's specialization (expected m2m:swr)",
    ]);
    const ro = await up('dvi', { 'm2m:dvi': { man: 'other' } });
    expect([ro.rsc, ro.dbg]).toEqual([4000, "attribute 'man' of m2m:dvi is not permitted in UPDATE"]);
    expect((await up('dvi', { 'm2m:dvi': { mgd: 1007 } })).rsc).toBe(4000);
    const r = await send({ op: 2, to: 'cse-in/node1/dvi', fr: admin });
    expect((r.pc as any)['m2m:dvi'].man).toBe('acme');
  });

  it('notifies subscribers of the node (child created, net 3) and of the mgmtObj (update, net 1) under the specialization root', async () => {
    const { url, events } = await notificationReceiver();
    const { send } = await openCseOn(kind, { senders: [new HttpRequestSender()] });
    await send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    const s1 = await send({
      op: 1,
      to: 'cse-in/node1',
      fr: admin,
      ty: 23,
      pc: { 'm2m:sub': { rn: 's', nu: [url], enc: { net: [3] } } },
    });
    expect(s1.rsc, s1.dbg).toBe(2001);
    await send({ op: 1, to: 'cse-in/node1', fr: admin, ty: 13, pc: { 'm2m:rbo': { rn: 'reboot', mgd: 1009 } } });
    await until(() => events().length >= 1);
    expect(events()[0]!.body['m2m:sgn'].nev).toMatchObject({ net: 3, rep: { 'm2m:rbo': { mgd: 1009 } } });
    const s2 = await send({
      op: 1,
      to: 'cse-in/node1/reboot',
      fr: admin,
      ty: 23,
      pc: { 'm2m:sub': { rn: 's', nu: [url] } },
    });
    expect(s2.rsc, s2.dbg).toBe(2001);
    // Service-layer management: the reboot request reaches the managed entity as this notification.
    await send({ op: 3, to: 'cse-in/node1/reboot', fr: admin, pc: { 'm2m:rbo': { rbo: true } } });
    await until(() => events().length >= 2);
    expect(events()[1]!.body['m2m:sgn'].nev).toMatchObject({ net: 1, rep: { 'm2m:rbo': { rbo: true } } });
  });
});
