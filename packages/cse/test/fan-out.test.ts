// <fanOutPoint> (TS-0004 7.4.14, TS-0001 10.2.7.6 - 10.2.7.8): CREATE, UPDATE, DELETE (and RETRIEVE) through
// <group>/fopt, aggregated in m2m:agr, with the group's and each member's access decision; both stores.
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestSchemas, openCseOn, STORES, type StoreKind } from './both-stores.js';

afterAll(dropTestSchemas);

type Rsp = { rsc: number; fr: string; to: string; pc?: any };
const agr = (r: { pc?: unknown }) => (r.pc as { 'm2m:agr': { 'm2m:rsp': Rsp[] } })['m2m:agr']['m2m:rsp'];

async function world(kind: StoreKind) {
  const o = await openCseOn(kind);
  await o.registerAe('Cg');
  await o.registerAe('Cother');
  const m1 = await o.make('cse-in/Cg', 'Cg', 3, 'm2m:cnt', { rn: 'm1' });
  const m2 = await o.make('cse-in/Cg', 'Cg', 3, 'm2m:cnt', { rn: 'm2' });
  const all = await o.make('cse-in/Cg', 'Cg', 1, 'm2m:acp', {
    rn: 'othersMayAll',
    pv: { acr: [{ acor: ['Cother', 'Cg'], acop: 63 }] },
    pvs: { acr: [{ acor: ['Cg'], acop: 63 }] },
  });
  const grp = await o.make('cse-in/Cg', 'Cg', 9, 'm2m:grp', {
    rn: 'grp',
    mt: 3,
    mnm: 5,
    mid: [m1.ri, m2.ri],
  });
  return { o, m1, m2, all, grp };
}

describe.each(STORES)('%s store: TS-0004 7.4.14 <fanOutPoint>', (kind: StoreKind) => {
  it('7.4.14.3.2 CREATE through fopt creates under every member and aggregates 2001s in m2m:agr', async () => {
    const { o, m1, m2 } = await world(kind);
    try {
      const r = await o.send({ op: 1, to: 'cse-in/Cg/grp/fopt', fr: 'Cg', ty: 4, pc: { 'm2m:cin': { con: 'v' } } });
      expect(r.rsc, r.dbg).toBe(2000);
      const rsp = agr(r);
      expect(rsp.map((x) => x.rsc)).toEqual([2001, 2001]);
      // 7.4.14.2.5: From names the member that answered.
      expect(rsp.map((x) => x.fr)).toEqual([m1.ri, m2.ri]);
      expect(rsp[0]!.pc['m2m:cin'].con).toBe('v');
      for (const m of ['m1', 'm2']) {
        const la = await o.send({ op: 2, to: `cse-in/Cg/${m}/la`, fr: 'Cg' });
        expect((la.pc as any)['m2m:cin'].con).toBe('v');
      }
      // A relative path after fopt addresses below each member.
      await o.make('cse-in/Cg/m1', 'Cg', 3, 'm2m:cnt', { rn: 'x' });
      await o.make('cse-in/Cg/m2', 'Cg', 3, 'm2m:cnt', { rn: 'x' });
      const deep = await o.send({
        op: 1,
        to: 'cse-in/Cg/grp/fopt/x',
        fr: 'Cg',
        ty: 4,
        pc: { 'm2m:cin': { con: 'd' } },
      });
      expect(agr(deep).map((x) => [x.rsc, x.to])).toEqual([
        [2001, `${m1.ri}/x`],
        [2001, `${m2.ri}/x`],
      ]);
    } finally {
      await o.close();
    }
  });

  it('7.4.14.2.1 refuses a CREATE of a type that cannot be a child of the member type (4108)', async () => {
    const { o } = await world(kind);
    try {
      const r = await o.send({ op: 1, to: 'cse-in/Cg/grp/fopt', fr: 'Cg', ty: 3, pc: { 'm2m:cnt': {} } });
      expect(r.rsc, r.dbg).toBe(2000); // a container can be a child of a container
      const bad = await o.send({
        op: 1,
        to: 'cse-in/Cg/grp/fopt',
        fr: 'Cg',
        ty: 9,
        pc: { 'm2m:grp': { mnm: 1, mid: [] } },
      });
      expect(bad.rsc).toBe(4108);
    } finally {
      await o.close();
    }
  });

  it('7.4.14.3.4 UPDATE through fopt updates every member', async () => {
    const { o } = await world(kind);
    try {
      const r = await o.send({ op: 3, to: 'cse-in/Cg/grp/fopt', fr: 'Cg', pc: { 'm2m:cnt': { lbl: ['fanned'] } } });
      expect(r.rsc, r.dbg).toBe(2000);
      expect(agr(r).map((x) => x.rsc)).toEqual([2004, 2004]);
      for (const m of ['m1', 'm2']) {
        const got = await o.send({ op: 2, to: `cse-in/Cg/${m}`, fr: 'Cg' });
        expect((got.pc as any)['m2m:cnt'].lbl).toEqual(['fanned']);
      }
    } finally {
      await o.close();
    }
  });

  it('7.4.14.3.5 DELETE through fopt deletes the members (the group stays)', async () => {
    const { o } = await world(kind);
    try {
      const r = await o.send({ op: 4, to: 'cse-in/Cg/grp/fopt', fr: 'Cg' });
      expect(agr(r).map((x) => x.rsc)).toEqual([2002, 2002]);
      expect((await o.send({ op: 2, to: 'cse-in/Cg/m1', fr: 'Cg' })).rsc).toBe(4004);
      expect((await o.send({ op: 2, to: 'cse-in/Cg/grp', fr: 'Cg' })).rsc).toBe(2000);
      const again = await o.send({ op: 2, to: 'cse-in/Cg/grp/fopt', fr: 'Cg' });
      expect(agr(again).map((x) => x.rsc)).toEqual([4004, 4004]);
    } finally {
      await o.close();
    }
  });

  it('decides access per member: a member that does not grant the originator answers 4103 inside m2m:agr', async () => {
    const { o, all } = await world(kind);
    try {
      // The group and m1 grant Cother everything; m2 has no acpi (only its creator may act on it).
      for (const to of ['cse-in/Cg/grp', 'cse-in/Cg/m1']) {
        const u = await o.send({
          op: 3,
          to,
          fr: 'Cg',
          pc: { [to.endsWith('grp') ? 'm2m:grp' : 'm2m:cnt']: { acpi: [all.ri] } },
        });
        expect(u.rsc, u.dbg).toBe(2004);
      }
      const c = await o.send({ op: 1, to: 'cse-in/Cg/grp/fopt', fr: 'Cother', ty: 4, pc: { 'm2m:cin': { con: 'o' } } });
      expect(c.rsc, c.dbg).toBe(2000);
      expect(agr(c).map((x) => x.rsc)).toEqual([2001, 4103]);
      const u = await o.send({ op: 3, to: 'cse-in/Cg/grp/fopt', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['o'] } } });
      expect(agr(u).map((x) => x.rsc)).toEqual([2004, 4103]);
      const d = await o.send({ op: 4, to: 'cse-in/Cg/grp/fopt', fr: 'Cother' });
      expect(agr(d).map((x) => x.rsc)).toEqual([2002, 4103]);
      expect((await o.send({ op: 2, to: 'cse-in/Cg/m2', fr: 'Cg' })).rsc).toBe(2000);
    } finally {
      await o.close();
    }
  });

  it('checks the group first: no privilege on the group (acpi, or macp when set) is 4103 for the whole request', async () => {
    const { o, all } = await world(kind);
    try {
      const denied = await o.send({
        op: 1,
        to: 'cse-in/Cg/grp/fopt',
        fr: 'Cother',
        ty: 4,
        pc: { 'm2m:cin': { con: 'x' } },
      });
      expect(denied.rsc).toBe(4103);
      // membersAccessControlPolicyIDs govern the fan-out instead of the group's acpi (7.4.14.3.x Recv-6.3).
      const u = await o.send({ op: 3, to: 'cse-in/Cg/grp', fr: 'Cg', pc: { 'm2m:grp': { macp: [all.ri] } } });
      expect(u.rsc, u.dbg).toBe(2004);
      const viaMacp = await o.send({ op: 2, to: 'cse-in/Cg/grp/fopt', fr: 'Cother' });
      expect(viaMacp.rsc, viaMacp.dbg).toBe(2000);
      expect(agr(viaMacp).map((x) => x.rsc)).toEqual([4103, 4103]); // members still decide for themselves
      expect((await o.send({ op: 2, to: 'cse-in/Cg/grp', fr: 'Cother' })).rsc).toBe(4103); // acpi still governs the group
    } finally {
      await o.close();
    }
  });

  it('7.4.14.2.4 fans out to Group Request Target Members only, refuses non-members (4000) and empty groups (4109)', async () => {
    const { o, m2 } = await world(kind);
    try {
      const r = await o.send({ op: 2, to: 'cse-in/Cg/grp/fopt', fr: 'Cg', grtm: [String(m2.ri)] });
      expect(agr(r).map((x) => x.fr)).toEqual([m2.ri]);
      const bad = await o.send({ op: 2, to: 'cse-in/Cg/grp/fopt', fr: 'Cg', grtm: ['cse-in/Cother'] });
      expect(bad.rsc).toBe(4000);
      await o.make('cse-in/Cg', 'Cg', 9, 'm2m:grp', { rn: 'empty', mnm: 3, mid: [] });
      const none = await o.send({ op: 1, to: 'cse-in/Cg/empty/fopt', fr: 'Cg', ty: 3, pc: { 'm2m:cnt': {} } });
      expect(none.rsc).toBe(4109);
    } finally {
      await o.close();
    }
  });
});
