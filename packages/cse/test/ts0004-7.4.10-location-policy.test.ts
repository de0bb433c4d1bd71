// TS-0004 7.4.10 <locationPolicy> with device based positioning, and its fixes as rq_loc for the aclr
// access-control context (TS-0003 7.1.2). The positioning module is the device's GPS: the one piece of
// hardware this machine lacks, so a test double stands in for it (a fixed, movable position).
import { HttpRequestSender } from '@m2msec/binding-http';
import { describe, expect, it } from 'vitest';
import type { PositioningModule } from '../src/resources/location-policy.js';
import { notificationReceiver, openCseOn, storeKinds, until } from './stores.js';

const admin = 'CAdmin';
const berlin = { latitude: 52.52, longitude: 13.405 };
const paris = { latitude: 48.8566, longitude: 2.3522 };

type Opened = Awaited<ReturnType<typeof openCseOn>>;

/**
 * The operator's policy on the <CSEBase> (set in the store, as a deployment's configuration would) lets
 * every AE create <locationPolicy> resources there, and nothing else.
 */
async function allowLocationPolicies({ send, store }: Opened): Promise<void> {
  const acp = await send({
    op: 1,
    to: 'cse-in',
    fr: admin,
    ty: 1,
    pc: {
      'm2m:acp': {
        rn: 'lpCreate',
        pv: { acr: [{ acor: ['all'], acop: 1, acod: [{ chty: [10] }] }] },
        pvs: { acr: [{ acor: [admin], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc, acp.dbg).toBe(2001);
  const cb = (await store.resources.get('id-in'))!;
  await store.resources.update({ ...cb, acpi: [(acp.pc as any)['m2m:acp'].ri] });
}

/** A GPS stand-in: reports `at`, or fails when `at` is undefined. */
function gps(start: { latitude: number; longitude: number } | undefined) {
  const m = {
    at: start,
    async position() {
      if (!m.at) throw new Error('no satellite fix');
      return m.at;
    },
  };
  return m satisfies PositioningModule;
}

describe.each(storeKinds)('TS-0004 7.4.10 <locationPolicy> [%s]', (kind) => {
  it('device based: the CSE creates and links the location container and stores its fixes as GeoJSON', async () => {
    const opened = await openCseOn(kind, { positioning: gps(berlin) });
    const { send, registerAe } = opened;
    await allowLocationPolicies(opened);
    await registerAe('Cloc');
    const c = await send({
      op: 1,
      to: 'cse-in',
      fr: 'Cloc',
      ty: 10,
      pc: { 'm2m:lcp': { rn: 'where', los: 2, lou: ['PT1S'], lon: 'whereData' } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    const lp = (c.pc as any)['m2m:lcp'];
    expect(lp).toMatchObject({ ty: 10, los: 2, lon: 'whereData' });
    expect(lp).not.toHaveProperty('__acp');
    const cnt = await send({ op: 2, to: 'cse-in/whereData', fr: 'Cloc' });
    expect(cnt.rsc, cnt.dbg).toBe(2000);
    expect((cnt.pc as any)['m2m:cnt']).toMatchObject({ ri: lp.loi, li: lp.ri });
    let fix: any;
    await until(() => false, 100);
    for (let i = 0; i < 50 && !fix; i++) {
      const la = await send({ op: 2, to: 'cse-in/whereData/la', fr: 'Cloc' });
      if (la.rsc === 2000) fix = (la.pc as any)['m2m:cin'];
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(fix).toMatchObject({ cnf: 'application/geo+json:0' });
    expect(JSON.parse(fix.con)).toEqual({ type: 'Point', coordinates: [berlin.longitude, berlin.latitude] });
    const status = await send({ op: 2, to: 'cse-in/where', fr: 'Cloc' });
    expect((status.pc as any)['m2m:lcp'].lost).toBe('Successful');
    // Deleting the policy deletes its container (7.4.10.2.4).
    expect((await send({ op: 4, to: 'cse-in/where', fr: 'Cloc' })).rsc).toBe(2002);
    expect((await send({ op: 2, to: 'cse-in/whereData', fr: admin })).rsc).toBe(4004);
  });

  it('refuses network and sharing based sources (5001), bad periods and read-only attributes (4000)', async () => {
    const opened = await openCseOn(kind, { positioning: gps(berlin) });
    const { send, registerAe } = opened;
    await allowLocationPolicies(opened);
    await registerAe('Cloc');
    const mk = (attrs: Record<string, unknown>) =>
      send({ op: 1, to: 'cse-in', fr: 'Cloc', ty: 10, pc: { 'm2m:lcp': attrs } });
    expect((await mk({ los: 1, lou: ['PT1S'], lot: 'urn:x', lor: 'http://127.0.0.1/mlp' })).rsc).toBe(5001);
    expect((await mk({ los: 3 })).rsc).toBe(5001);
    const period = await mk({ los: 2, lou: ['every second'] });
    expect([period.rsc, period.dbg]).toEqual([
      4000,
      "locationUpdatePeriod (lou) 'every second' is not an xs:duration (PnDTnHnMnS)",
    ]);
    expect((await mk({ los: 4 })).rsc).toBe(4000);
    expect((await mk({ los: 2, loi: 'cse-in/x' })).dbg).toBe("attribute 'loi' of m2m:lcp is not permitted in CREATE");
    expect((await mk({ los: 2, lost: 'ok' })).rsc).toBe(4000);
    expect((await mk({ lou: ['PT1S'] })).dbg).toBe("missing mandatory attribute 'los' in m2m:lcp");
    expect((await send({ op: 2, to: 'cse-in', fr: admin, rcn: 6 })).pc).toEqual({
      'm2m:rrl': { rrf: expect.not.arrayContaining([expect.objectContaining({ typ: 10 })]) },
    });
  });

  it('a subscriber of the policy is told when locationStatus changes (net 1)', async () => {
    const { url, events } = await notificationReceiver();
    const device = gps(undefined);
    const opened = await openCseOn(kind, { positioning: device, senders: [new HttpRequestSender()] });
    const { send, registerAe } = opened;
    await allowLocationPolicies(opened);
    await registerAe('Cloc');
    await send({ op: 1, to: 'cse-in', fr: 'Cloc', ty: 10, pc: { 'm2m:lcp': { rn: 'lp', los: 2, lou: ['PT0.2S'] } } });
    const sub = await send({ op: 1, to: 'cse-in/lp', fr: 'Cloc', ty: 23, pc: { 'm2m:sub': { nu: [url] } } });
    expect(sub.rsc, sub.dbg).toBe(2001);
    device.at = berlin;
    await until(() => events().length >= 1);
    expect(events()[0]!.body['m2m:sgn'].nev).toMatchObject({ net: 1, rep: { 'm2m:lcp': { lost: 'Successful' } } });
  });

  it('without a positioning module the policy records the failure in locationStatus', async () => {
    const opened = await openCseOn(kind);
    const { send, registerAe } = opened;
    await allowLocationPolicies(opened);
    await registerAe('Cloc');
    const c = await send({
      op: 1,
      to: 'cse-in',
      fr: 'Cloc',
      ty: 10,
      pc: { 'm2m:lcp': { rn: 'lp', los: 2, lou: ['PT1S'] } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    let lost: string | undefined;
    for (let i = 0; i < 50 && !lost; i++) {
      lost = ((await send({ op: 2, to: 'cse-in/lp', fr: 'Cloc' })).pc as any)['m2m:lcp'].lost;
      if (!lost) await new Promise((r) => setTimeout(r, 50));
    }
    expect(lost).toBe('Failure: this CSE has no positioning module');
  });

  it('attack: the AE cannot write, relink or delete its location container (4103), only read and subscribe', async () => {
    const opened = await openCseOn(kind, { positioning: gps(berlin) });
    const { send, registerAe } = opened;
    await allowLocationPolicies(opened);
    await registerAe('Cloc');
    await send({
      op: 1,
      to: 'cse-in',
      fr: 'Cloc',
      ty: 10,
      pc: { 'm2m:lcp': { rn: 'lp', los: 2, lou: ['PT1S'], lon: 'mine' } },
    });
    const forged = JSON.stringify({ type: 'Point', coordinates: [paris.longitude, paris.latitude] });
    const write = await send({
      op: 1,
      to: 'cse-in/mine',
      fr: 'Cloc',
      ty: 4,
      pc: { 'm2m:cin': { cnf: 'application/geo+json:0', con: forged } },
    });
    expect(write.rsc).toBe(4103);
    const relink = await send({ op: 3, to: 'cse-in/mine', fr: 'Cloc', pc: { 'm2m:cnt': { acpi: ['cse-in/x'] } } });
    expect(relink.rsc).toBe(4103);
    expect((await send({ op: 3, to: 'cse-in/mine', fr: 'Cloc', pc: { 'm2m:cnt': { mni: 1000 } } })).rsc).toBe(4103);
    expect((await send({ op: 4, to: 'cse-in/mine', fr: 'Cloc' })).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/mine', fr: 'Cloc' })).rsc).toBe(2000);
    const sub = await send({
      op: 1,
      to: 'cse-in/mine',
      fr: 'Cloc',
      ty: 23,
      pc: { 'm2m:sub': { nu: ['/id-in/Cloc'] } },
    });
    expect(sub.rsc, sub.dbg).toBe(2001);
    await registerAe('Cother');
    expect((await send({ op: 2, to: 'cse-in/mine', fr: 'Cother' })).rsc).toBe(4103);
  });
});

describe.each(storeKinds)('TS-0003 7.1.2 rq_loc from device based positioning, aclr context [%s]', (kind) => {
  it('grants by the CSE-measured position, refuses elsewhere, with a stale fix, and without any policy', async () => {
    const device = gps(berlin);
    const opened = await openCseOn(kind, { positioning: device });
    const { send, registerAe } = opened;
    await allowLocationPolicies(opened);
    await registerAe('Cloc');
    const acp = await send({
      op: 1,
      to: 'cse-in',
      fr: admin,
      ty: 1,
      pc: {
        'm2m:acp': {
          rn: 'inBerlin',
          pv: {
            acr: [
              { acor: ['/id-in/Cloc'], acop: 2, acco: [{ aclr: { accr: [berlin.latitude, berlin.longitude, 5000] } }] },
            ],
          },
          pvs: { acr: [{ acor: [admin], acop: 63 }] },
        },
      },
    });
    expect(acp.rsc, acp.dbg).toBe(2001);
    await send({
      op: 1,
      to: 'cse-in',
      fr: admin,
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'secret', acpi: ['cse-in/inBerlin'] } },
    });
    const read = () => send({ op: 2, to: 'cse-in/secret', fr: 'Cloc' });
    expect((await read()).rsc).toBe(4103); // no location known: the context fails closed

    await send({ op: 1, to: 'cse-in', fr: 'Cloc', ty: 10, pc: { 'm2m:lcp': { rn: 'lp', los: 2, lou: ['PT1S'] } } });
    let rsc = 0;
    for (let i = 0; i < 50 && rsc !== 2000; i++) {
      rsc = (await read()).rsc;
      if (rsc !== 2000) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rsc).toBe(2000);

    device.at = paris; // the device moves: the next fix is far outside the region
    for (let i = 0; i < 60 && rsc !== 4103; i++) {
      rsc = (await read()).rsc;
      if (rsc !== 4103) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rsc).toBe(4103);

    device.at = berlin;
    for (let i = 0; i < 60 && rsc !== 2000; i++) {
      rsc = (await read()).rsc;
      if (rsc !== 2000) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rsc).toBe(2000);
    device.at = undefined; // no more fixes: after twice the update period the last one is stale
    await new Promise((r) => setTimeout(r, 2300));
    expect((await read()).rsc).toBe(4103);
  });
});
