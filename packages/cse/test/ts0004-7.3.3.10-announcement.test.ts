// Announcement (TS-0001 9.6.26, TS-0004 7.3.3.10 / 7.3.3.11 / 7.4.26) between an MN-CSE and its IN-CSE in
// one process, in both directions, on every store: <AE>, <container>, <contentInstance> and
// <accessControlPolicy> announced by their hosting CSE, kept in step, de-announced; the refusals.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openMemoryStore, openPostgresStore, openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Node, openNode, register } from './retarget-world.js';
import { PG_URL, storeKinds } from './stores.js';

const schemas: string[] = [];
afterAll(() => {
  for (const s of schemas)
    execFileSync('psql', [PG_URL, '-qc', `DROP SCHEMA IF EXISTS "${s}" CASCADE`], { stdio: 'ignore' });
});

async function storeOf(kind: string): Promise<Store> {
  if (kind === 'memory') return openMemoryStore();
  if (kind === 'sqlite') return openSqliteStore({ file: ':memory:' });
  const schema = `annc_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return openPostgresStore({ connectionString: PG_URL, schema });
}

const body = (r: { pc?: unknown }) => Object.values(r.pc as Record<string, Record<string, any>>)[0]!;

describe.each(storeKinds)('TS-0004 7.3.3.10 announcement [%s]', (kind) => {
  const IN = `/in-${kind}`;
  const MN = `/mn-${kind}`;
  let inCse: Node;
  let mn: Node;
  const atIn = (uri: string) => inCse.send({ op: 2, to: uri, fr: 'CAdmin' });
  const atMn = (uri: string) => mn.send({ op: 2, to: uri, fr: 'CAdmin' });

  beforeAll(async () => {
    inCse = await openNode(IN, 'cse-in', 1, { store: await storeOf(kind) });
    mn = await openNode(MN, 'cse-mn', 2, { store: await storeOf(kind), config: { registrarCseId: IN } });
    await register(mn, MN, 'cse-mn', inCse, IN, 'cse-in');
  });
  afterAll(async () => {
    for (const n of [mn, inCse]) {
      await n?.cse.stop();
    }
  });

  it('7.3.3.10: an <AE> registering with at = [IN-CSE] gets an <AEAnnc> under its MN-CSE <remoteCSE>', async () => {
    const r = await mn.send({
      op: 1,
      to: 'cse-mn',
      fr: 'Cae1',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nannc', rr: false, srv: ['3'], lbl: ['k:v'], at: [IN], aa: ['api'] } },
    });
    expect(r.rsc, r.dbg).toBe(2001);
    const at = body(r).at as string[];
    expect(at).toHaveLength(1);
    expect(at[0]).toMatch(new RegExp(`^${IN}/`));
    const annc = await atIn(at[0]!);
    expect(annc.rsc, annc.dbg).toBe(2000);
    expect(Object.keys(annc.pc as object)).toEqual(['m2m:aeA']);
    expect(body(annc)).toMatchObject({ ty: 10002, lnk: `${MN}/Cae1`, lbl: ['k:v'], srv: ['3'], api: 'Nannc' });
    expect(body(annc).pi).toBe(MN.slice(1)); // the MN-CSE <remoteCSE> at the IN-CSE
    expect(body(annc).poa).toBeUndefined(); // OA, not in aa
    // The stored original holds the announced address, not the CSE-ID.
    expect(body(await atMn('cse-mn/Cae1')).at).toEqual(at);
  });

  it('7.3.3.10: <container> and <contentInstance> are announced under the announced parent', async () => {
    const c = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1',
      fr: 'Cae1',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'temp', lbl: ['t'], mni: 5, at: [IN] } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    const cntA = body(c).at[0] as string;
    const aeA = body(await atMn('cse-mn/Cae1')).at[0] as string;
    const annc = body(await atIn(cntA));
    expect(annc).toMatchObject({ ty: 10003, lnk: `${MN}/${body(c).ri}`, lbl: ['t'] });
    expect(`${IN}/${annc.pi}`).toBe(aeA);
    expect(annc.mni).toBeUndefined();
    const ci = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1/temp',
      fr: 'Cae1',
      ty: 4,
      pc: { 'm2m:cin': { con: '21', cnf: 'text/plain:0', at: [IN], aa: ['con'] } },
    });
    expect(ci.rsc, ci.dbg).toBe(2001);
    const cinA = body(await atIn(body(ci).at[0]));
    expect(cinA).toMatchObject({ ty: 10004, con: '21', lnk: `${MN}/${body(ci).ri}` });
    expect(`${IN}/${cinA.pi}`).toBe(cntA);
  });

  it('7.3.3.10 step 1a: a <contentInstance> whose parent is not announced there gets 4005', async () => {
    expect(
      (await mn.send({ op: 1, to: 'cse-mn/Cae1', fr: 'Cae1', ty: 3, pc: { 'm2m:cnt': { rn: 'quiet' } } })).rsc,
    ).toBe(2001);
    const r = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1/quiet',
      fr: 'Cae1',
      ty: 4,
      pc: { 'm2m:cin': { con: 'x', at: [IN] } },
    });
    expect(r.rsc, r.dbg).toBe(4005);
    const list = await mn.send({ op: 2, to: 'cse-mn/Cae1/quiet', fr: 'Cae1' });
    expect(body(list).cni).toBe(0); // nothing was created
  });

  it('7.3.3.10: UPDATE of MA attributes and of aa reaches the announced resource; removal from aa sets NULL', async () => {
    const cntA = body(await atMn('cse-mn/Cae1/temp')).at[0] as string;
    let u = await mn.send({
      op: 3,
      to: 'cse-mn/Cae1/temp',
      fr: 'Cae1',
      pc: { 'm2m:cnt': { lbl: ['t2'], aa: ['mni'] } },
    });
    expect(u.rsc, u.dbg).toBe(2004);
    expect(body(await atIn(cntA))).toMatchObject({ lbl: ['t2'], mni: 5 });
    u = await mn.send({ op: 3, to: 'cse-mn/Cae1/temp', fr: 'Cae1', pc: { 'm2m:cnt': { aa: null } } });
    expect(u.rsc, u.dbg).toBe(2004);
    expect(body(await atIn(cntA)).mni).toBeUndefined();
  });

  it('7.3.3.11: removing the target from at deletes the announced resource; adding it announces again', async () => {
    const cntA = body(await atMn('cse-mn/Cae1/temp')).at[0] as string;
    const u = await mn.send({ op: 3, to: 'cse-mn/Cae1/temp', fr: 'Cae1', pc: { 'm2m:cnt': { at: [] } } });
    expect(u.rsc, u.dbg).toBe(2004);
    expect(body(u).at).toBeUndefined();
    expect((await atIn(cntA)).rsc).toBe(4004);
    const again = await mn.send({ op: 3, to: 'cse-mn/Cae1/temp', fr: 'Cae1', pc: { 'm2m:cnt': { at: [IN] } } });
    expect(again.rsc, again.dbg).toBe(2004);
    const uri = body(again).at[0] as string;
    expect(uri).not.toBe(cntA);
    expect(body(await atIn(uri)).lnk).toBe(`${MN}/${body(again).ri}`);
  });

  it('7.3.3.10: <accessControlPolicy> is announced with its privileges', async () => {
    const r = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1',
      fr: 'Cae1',
      ty: 1,
      pc: {
        'm2m:acp': {
          rn: 'acpA',
          pv: { acr: [{ acor: ['all'], acop: 2 }] },
          pvs: { acr: [{ acor: ['Cae1'], acop: 63 }] },
          at: [IN],
        },
      },
    });
    expect(r.rsc, r.dbg).toBe(2001);
    const annc = body(await atIn(body(r).at[0]));
    expect(annc).toMatchObject({ ty: 10001, pv: { acr: [{ acor: ['all'], acop: 2 }] }, lnk: `${MN}/${body(r).ri}` });
  });

  it('7.3.3.10: a <flexContainer> is announced under its specialization root + Annc, custom attributes by aa', async () => {
    const r = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1',
      fr: 'Cae1',
      ty: 28,
      pc: {
        'cod:tempe': {
          rn: 'thermo',
          cnd: 'org.onem2m.common.moduleclass.temperature',
          curT0: 20.5,
          at: [IN],
          aa: ['curT0'],
        },
      },
    });
    expect(r.rsc, r.dbg).toBe(2001);
    const uri = body(r).at[0] as string;
    const annc = await atIn(uri);
    expect(Object.keys(annc.pc as object)).toEqual(['cod:tempeAnnc']);
    expect(body(annc)).toMatchObject({
      ty: 10028,
      cnd: 'org.onem2m.common.moduleclass.temperature',
      curT0: 20.5,
      lnk: `${MN}/${body(r).ri}`,
    });
    const u = await mn.send({ op: 3, to: 'cse-mn/Cae1/thermo', fr: 'Cae1', pc: { 'cod:tempe': { curT0: 22 } } });
    expect(u.rsc, u.dbg).toBe(2004);
    expect(body(await atIn(uri)).curT0).toBe(22);
  });

  it('7.3.3.3: refuses at targets that are not registered CSEs (4000) or not CSE-IDs (5001), creating nothing', async () => {
    const nowhere = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1',
      fr: 'Cae1',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'n1', at: ['/id-nowhere'] } },
    });
    expect(nowhere.rsc, nowhere.dbg).toBe(4000);
    const path = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1',
      fr: 'Cae1',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'n2', at: [`${IN}/cse-in/x`] } },
    });
    expect(path.rsc, path.dbg).toBe(5001);
    for (const rn of ['n1', 'n2']) expect((await atMn(`cse-mn/Cae1/${rn}`)).rsc).toBe(4004);
    const aa = await mn.send({ op: 3, to: 'cse-mn/Cae1/temp', fr: 'Cae1', pc: { 'm2m:cnt': { aa: ['cni'] } } });
    expect(aa.rsc, aa.dbg).toBe(4000);
  });

  it('7.3.3.3: refuses at on a resource type this CSE does not announce (5001)', async () => {
    const r = await mn.send({
      op: 1,
      to: 'cse-mn/Cae1',
      fr: 'Cae1',
      ty: 9,
      pc: { 'm2m:grp': { rn: 'g', mnm: 2, mid: [], at: [IN] } },
    });
    expect(r.rsc, r.dbg).toBe(5001);
    expect(r.dbg).toMatch(/not offered/);
  });

  it('the other way: an <AE> of the IN-CSE is announced to its registree MN-CSE', async () => {
    const r = await inCse.send({
      op: 1,
      to: 'cse-in',
      fr: 'Cin1',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nin', rr: false, srv: ['3'], at: [MN] } },
    });
    expect(r.rsc, r.dbg).toBe(2001);
    const annc = body(await atMn(body(r).at[0]));
    expect(annc).toMatchObject({ ty: 10002, lnk: `${IN}/Cin1` });
    expect(annc.pi).toBe(IN.slice(1)); // the IN-CSE <remoteCSE> at the MN-CSE
  });

  it('9.6.26.1: only the announcing CSE creates, updates or deletes announced resources; lnk must point into it', async () => {
    const aeA = body(await atMn('cse-mn/Cae1')).at[0] as string;
    // An AE of the IN-CSE claims an original of the MN-CSE.
    expect(
      (
        await inCse.send({
          op: 1,
          to: 'cse-in',
          fr: 'Cae9',
          ty: 2,
          pc: { 'm2m:ae': { api: 'N9', rr: false, srv: ['3'] } },
        })
      ).rsc,
    ).toBe(2001);
    const forged = await inCse.send({
      op: 1,
      to: `cse-in/${MN.slice(1)}`,
      fr: 'Cae9',
      ty: 10002,
      pc: { 'm2m:aeA': { lnk: `${MN}/Cfake`, et: '20991231T235959' } },
    });
    expect(forged.rsc, forged.dbg).toBe(4103);
    // Nor can it change or delete the MN-CSE's announced resource.
    expect((await inCse.send({ op: 3, to: aeA, fr: 'Cae9', pc: { 'm2m:aeA': { lbl: ['x'] } } })).rsc).toBe(4103);
    expect((await inCse.send({ op: 4, to: aeA, fr: 'Cae9' })).rsc).toBe(4103);
    // The MN-CSE itself, with a link into another CSE.
    const elsewhere = await inCse.sendAs(MN, {
      op: 1,
      to: `cse-in/${MN.slice(1)}`,
      fr: MN,
      ty: 10002,
      pc: { 'm2m:aeA': { lnk: '/id-other/Cae1', et: '20991231T235959' } },
    });
    expect(elsewhere.rsc, elsewhere.dbg).toBe(4000);
    // Under the IN-CSE's own <CSEBase>: not a place for announced resources.
    const base = await inCse.sendAs(MN, {
      op: 1,
      to: 'cse-in',
      fr: MN,
      ty: 10002,
      pc: { 'm2m:aeA': { lnk: `${MN}/Cae1`, et: '20991231T235959' } },
    });
    expect(base.rsc).toBe(4108);
  });

  it('not offered: local children of announced resources (4108, 5203) and other announced types (5001)', async () => {
    const aeA = body(await atMn('cse-mn/Cae1')).at[0] as string;
    const cnt = await inCse.send({ op: 1, to: aeA, fr: 'CAdmin', ty: 3, pc: { 'm2m:cnt': { rn: 'local' } } });
    expect(cnt.rsc, cnt.dbg).toBe(4108);
    const sub = await inCse.send({
      op: 1,
      to: aeA,
      fr: 'CAdmin',
      ty: 23,
      pc: { 'm2m:sub': { nu: ['/in-x/CAdmin'], enc: { net: [1] } } },
    });
    expect(sub.rsc, sub.dbg).toBe(5203);
    const grpA = await inCse.sendAs(MN, {
      op: 1,
      to: `cse-in/${MN.slice(1)}`,
      fr: MN,
      ty: 10009,
      pc: { 'm2m:grpA': { lnk: `${MN}/g`, et: '20991231T235959' } },
    });
    expect(grpA.rsc, grpA.dbg).toBe(5001);
  });

  it('discovery at the IN-CSE finds announced resources by ty', async () => {
    const r = await inCse.send({ op: 2, to: 'cse-in', fr: 'CAdmin', fc: { fu: 1, ty: [10002] } });
    expect(r.rsc, r.dbg).toBe(2000);
    expect(((r.pc as any)['m2m:uril'] as string[]).length).toBeGreaterThanOrEqual(1);
  });

  it('7.3.3.11: deleting the original deletes its announced resources', async () => {
    const aeA = body(await atMn('cse-mn/Cae1')).at[0] as string;
    expect((await mn.send({ op: 4, to: 'cse-mn/Cae1', fr: 'Cae1' })).rsc).toBe(2002);
    expect((await atIn(aeA)).rsc).toBe(4004);
  });
});
