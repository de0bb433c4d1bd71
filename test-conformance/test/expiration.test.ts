// expirationTime (TS-0001 9.6.1.3; TS-0004 7.3.3.3 CREATE, 7.3.3.4 UPDATE, 7.4.7.2.1 e) maxInstanceAge):
// always configured by the CSE within its limits, and the resource is deleted when it expires, with
// the subscription notifications that deletion brings.
import { expect } from 'vitest';
import { clause, conformance, Receiver, registerAe, sleep } from '../src/harness.js';

const DEFAULT_S = 3600;
const MAX_S = 7200;
const config = { cse: { defaultExpirationSeconds: DEFAULT_S, maxExpirationSeconds: MAX_S, expirySweepMs: 200 } };

/** m2m:timestamp 'YYYYMMDDThhmmss[,ffffff]' -> ms */
const ms = (ts: string) =>
  Date.UTC(
    +ts.slice(0, 4),
    +ts.slice(4, 6) - 1,
    +ts.slice(6, 8),
    +ts.slice(9, 11),
    +ts.slice(11, 13),
    +ts.slice(13, 15),
  );
const stamp = (d: number) => new Date(d).toISOString().replace(/[-:]/g, '').slice(0, 15);

conformance('expirationTime', config, (cse) => {
  clause(
    'TS-0001 9.6.1.3',
    'every created resource carries expirationTime; without one it is now + the default',
    async () => {
      const before = Date.now();
      const ae = await registerAe(cse());
      const reps = [(await cse().req('GET', ae.path, { from: ae.aei })).body['m2m:ae']];
      for (const [ty, root, body] of [
        [3, 'm2m:cnt', { rn: 'c' }],
        [1, 'm2m:acp', { rn: 'p', pv: {}, pvs: { acr: [{ acor: [ae.aei], acop: 63 }] } }],
        [23, 'm2m:sub', { rn: 's', nu: [ae.aei] }],
        [9, 'm2m:grp', { rn: 'g', mid: [], mnm: 2 }],
      ] as const) {
        const r = await cse().req('POST', ae.path, { from: ae.aei, ty, body: { [root]: body } });
        expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
        reps.push(r.body[root]);
      }
      const cin = await cse().req('POST', `${ae.path}/c`, { from: ae.aei, ty: 4, body: { 'm2m:cin': { con: 'x' } } });
      reps.push(cin.body['m2m:cin']);
      reps.push((await cse().req('GET', `${ae.path}/c/la`, { from: ae.aei })).body['m2m:cin']);
      for (const rep of reps) {
        expect(typeof rep.et, JSON.stringify(rep)).toBe('string');
        const et = ms(rep.et);
        expect(et).toBeGreaterThanOrEqual(before + DEFAULT_S * 1000 - 2000);
        expect(et).toBeLessThanOrEqual(Date.now() + DEFAULT_S * 1000 + 2000);
      }
    },
  );

  clause('7.3.3.3', 'a requested expirationTime beyond the maximum lifetime is clamped and returned', async () => {
    const ae = await registerAe(cse());
    const far = stamp(Date.now() + 10 * MAX_S * 1000);
    const r = await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { et: far } } });
    expect(r.rsc).toBe(2001);
    expect(ms(r.body['m2m:cnt'].et)).toBeLessThanOrEqual(Date.now() + MAX_S * 1000 + 1000);
  });

  clause('7.3.3.3', "a child's expirationTime never exceeds its parent's", async () => {
    const ae = await registerAe(cse());
    const parentEt = stamp(Date.now() + 600_000);
    const p = await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'p', et: parentEt } } });
    expect(p.rsc).toBe(2001);
    const c = await cse().req('POST', `${ae.path}/p`, {
      from: ae.aei,
      ty: 3,
      body: { 'm2m:cnt': { rn: 'c', et: stamp(Date.now() + 1_200_000) } },
    });
    expect(c.rsc).toBe(2001);
    expect(ms(c.body['m2m:cnt'].et)).toBeLessThanOrEqual(ms(p.body['m2m:cnt'].et));
    const d = await cse().req('POST', `${ae.path}/p`, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'd' } } });
    expect(ms(d.body['m2m:cnt'].et)).toBeLessThanOrEqual(ms(p.body['m2m:cnt'].et));
  });

  clause('7.3.3.3', 'an expirationTime in the past gets 4000 on CREATE and UPDATE', async () => {
    const ae = await registerAe(cse());
    const past = stamp(Date.now() - 60_000);
    expect(
      (await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'x', et: past } } })).rsc,
    ).toBe(4000);
    await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'y' } } });
    expect((await cse().req('PUT', `${ae.path}/y`, { from: ae.aei, body: { 'm2m:cnt': { et: past } } })).rsc).toBe(
      4000,
    );
  });

  clause(
    '7.3.3.4',
    "an UPDATE bringing expirationTime before a child's gets 4000; NULL restores the default",
    async () => {
      const ae = await registerAe(cse());
      await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'p' } } });
      await cse().req('POST', `${ae.path}/p`, {
        from: ae.aei,
        ty: 3,
        body: { 'm2m:cnt': { rn: 'c', et: stamp(Date.now() + 1_800_000) } },
      });
      const early = await cse().req('PUT', `${ae.path}/p`, {
        from: ae.aei,
        body: { 'm2m:cnt': { et: stamp(Date.now() + 600_000) } },
      });
      expect(early.rsc).toBe(4000);
      const later = await cse().req('PUT', `${ae.path}/p`, {
        from: ae.aei,
        body: { 'm2m:cnt': { et: stamp(Date.now() + 2_400_000) } },
      });
      expect(later.rsc).toBe(2004);
      const reset = await cse().req('PUT', `${ae.path}/p`, { from: ae.aei, body: { 'm2m:cnt': { et: null } } });
      expect(reset.rsc).toBe(2004);
      expect(ms(reset.body['m2m:cnt'].et)).toBeGreaterThan(Date.now() + DEFAULT_S * 1000 - 5000);
    },
  );

  clause('7.4.7.2.1', "a <contentInstance> lives at most the container's maxInstanceAge", async () => {
    const ae = await registerAe(cse());
    await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'c', mia: 60 } } });
    const cin = await cse().req('POST', `${ae.path}/c`, { from: ae.aei, ty: 4, body: { 'm2m:cin': { con: 'x' } } });
    expect(ms(cin.body['m2m:cin'].et) - ms(cin.body['m2m:cin'].ct)).toBeLessThanOrEqual(61_000);
  });

  clause(
    '7.3.3.3',
    'an expired resource is deleted, with delete-child and subscription deletion (sud) notifications',
    async () => {
      const rx = await Receiver.start();
      try {
        const ae = await registerAe(cse());
        const parentSub = await cse().req('POST', ae.path, {
          from: ae.aei,
          ty: 23,
          body: { 'm2m:sub': { nu: [`${rx.url}/parent`], enc: { net: [4] } } },
        });
        expect(parentSub.rsc).toBe(2001);
        const c = await cse().req('POST', ae.path, {
          from: ae.aei,
          ty: 3,
          body: { 'm2m:cnt': { rn: 'short', et: stamp(Date.now() + 1500) } },
        });
        expect(c.rsc).toBe(2001);
        const s = await cse().req('POST', `${ae.path}/short`, {
          from: ae.aei,
          ty: 23,
          body: { 'm2m:sub': { rn: 'watch', nu: [`${rx.url}/watch`], su: `${rx.url}/su`, enc: { net: [2] } } },
        });
        expect(s.rsc).toBe(2001);
        const gone = () => rx.received.filter((x) => x.path === '/su' && x.body['m2m:sgn']?.sud).length;
        await rx.waitFor(gone, 1, 8000);
        expect((await cse().req('GET', `${ae.path}/short`, { from: ae.aei })).rsc).toBe(4004);
        await rx.waitFor(
          () => rx.received.filter((x) => x.path === '/watch' && x.body['m2m:sgn']?.nev?.net === 2).length,
        );
        await rx.waitFor(
          () => rx.received.filter((x) => x.path === '/parent' && x.body['m2m:sgn']?.nev?.net === 4).length,
        );
        await sleep(50);
      } finally {
        await rx.close();
      }
    },
    20_000,
  );
});
