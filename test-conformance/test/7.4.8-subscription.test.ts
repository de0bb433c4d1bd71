// TS-0004 7.4.8 <subscription> and the notification procedures of 7.5.1.2 (TS-0001 9.6.8, 10.2.10/11).
import { afterAll, beforeAll, expect } from 'vitest';
import { clause, conformance, Receiver, registerAe, sleep } from '../src/harness.js';

conformance('7.4.8 <subscription>', { cse: { batchNotifyDefaultDurationSeconds: 2 } }, (cse) => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await Receiver.start();
  });
  afterAll(() => rx.close());
  let n = 0;
  /** A fresh path on the receiver, so each test sees only its own notifications. */
  const target = () => `${rx.url}/t${++n}`;
  const at = (url: string) => () => rx.received.filter((r) => url.endsWith(r.path));
  const container = async (ae: { path: string; aei: string }, rn = 'c') => {
    const r = await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn } } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    return `${ae.path}/${rn}`;
  };
  const subscribe = (path: string, from: string, sub: Record<string, unknown>) =>
    cse().req('POST', path, { from, ty: 23, body: { 'm2m:sub': sub } });
  const addCin = (path: string, from: string, con = 'x') =>
    cse().req('POST', path, { from, ty: 4, body: { 'm2m:cin': { con } } });

  clause(
    '7.5.1.2.3',
    "the verification request carries the subscription's own reference (sur) and creator",
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const nu = target();
      const r = await subscribe(cnt, ae.aei, { rn: 'sv', nu: [nu] });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
      const [vrq] = at(nu)();
      expect(vrq!.body['m2m:sgn'].vrq).toBe(true);
      expect(vrq!.body['m2m:sgn'].sur).toBe(`/id-in${cnt}/sv`);
      expect(vrq!.body['m2m:sgn'].cr).toBe(`/id-in/${ae.aei}`);
      // The reference names the resource that now exists.
      const got = await cse().req('GET', `/~${vrq!.body['m2m:sgn'].sur}`, { from: ae.aei });
      expect(got.rsc).toBe(2000);
      expect(got.body['m2m:sub'].ri).toBe(r.body['m2m:sub'].ri);
    },
  );

  clause(
    '7.4.8.2.1',
    "a nu equal to the subscriber's own AE-ID (as sent in From) is not verified: an AE without poa gets 2001",
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      for (const nu of [ae.aei, `/id-in/${ae.aei}`, `//m2msec.org/id-in/${ae.aei}`, ae.path.slice(1)]) {
        const r = await subscribe(cnt, ae.aei, { nu: [nu] });
        expect(r.rsc, `${nu}: ${JSON.stringify(r.body)}`).toBe(2001);
      }
    },
  );

  clause('7.4.8.2.1', 'a nu equal to the subscriber itself with a poa gets no verification request', async () => {
    const poa = target();
    const ae = await registerAe(cse(), { poa: [poa] });
    const cnt = await container(ae);
    const r = await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [3] } });
    expect(r.rsc).toBe(2001);
    expect(r.body['m2m:sub'].cr).toBeUndefined();
    await addCin(cnt, ae.aei);
    await rx.waitFor(() => at(poa)().length);
    expect(at(poa)().every((x) => x.body['m2m:sgn'].vrq === undefined)).toBe(true);
  });

  clause(
    '7.4.8.2.1',
    'the subscriber needs RETRIEVE on the subscribed-to resource, not only CREATE (4103)',
    async () => {
      const ae = await registerAe(cse());
      const other = await registerAe(cse());
      const policy = async (rn: string, acop: number) => {
        const r = await cse().req('POST', ae.path, {
          from: ae.aei,
          ty: 1,
          body: {
            'm2m:acp': {
              rn,
              pv: {
                acr: [
                  { acor: [ae.aei], acop: 63 },
                  { acor: [other.aei], acop },
                ],
              },
              pvs: { acr: [{ acor: [ae.aei], acop: 63 }] },
            },
          },
        });
        expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
        return r.body['m2m:acp'].ri as string;
      };
      const createOnly = await policy('createOnly', 1);
      const createRetrieve = await policy('createRetrieve', 3);
      for (const [rn, acpi] of [
        ['c1', createOnly],
        ['c2', createRetrieve],
      ] as const)
        expect(
          (await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn, acpi: [acpi] } } })).rsc,
        ).toBe(2001);
      expect((await subscribe(`${ae.path}/c1`, other.aei, { nu: [other.aei] })).rsc).toBe(4103);
      expect((await subscribe(`${ae.path}/c2`, other.aei, { nu: [other.aei] })).rsc).toBe(2001);
    },
  );

  clause(
    '7.4.8.2.1',
    'a subscription under a resource that cannot have one gets 5203 TARGET_NOT_SUBSCRIBABLE',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const cin = await addCin(cnt, ae.aei, 'x');
      const r = await subscribe(`${cnt}/${cin.body['m2m:cin'].rn}`, ae.aei, { nu: [ae.aei] });
      expect(r.rsc).toBe(5203);
    },
  );

  clause('7.4.8.2.1', 'a nu naming another AE without a point of access gets 5204', async () => {
    const ae = await registerAe(cse());
    const other = await registerAe(cse());
    const r = await subscribe(ae.path, ae.aei, { nu: [other.aei] });
    expect(r.rsc).toBe(5204);
  });

  clause(
    '7.4.8.2.1',
    'a nu naming another entity is verified even when it resembles the originator (another AE, another SP)',
    async () => {
      const poa = target();
      const ae = await registerAe(cse());
      const other = await registerAe(cse(), { poa: [poa] });
      rx.rsc = (x) => (poa.endsWith(x.path) ? 4101 : 2000);
      try {
        // The other AE's ID and its structured name: its (refusing) target is asked, so 5204.
        for (const nu of [other.aei, other.path.slice(1), `/id-in/${other.aei}`]) {
          const r = await subscribe(ae.path, ae.aei, { nu: [nu] });
          expect(r.rsc, nu).toBe(5204);
        }
      } finally {
        rx.rsc = () => 2000;
      }
      // The subscriber's own stem under another SP or CSE is not the subscriber.
      for (const nu of [`//other.example/id-in/${ae.aei}`, `/id-mn/${ae.aei}`, `${ae.aei}x`]) {
        const r = await subscribe(ae.path, ae.aei, { nu: [nu] });
        expect(r.rsc, nu).toBe(5204);
      }
    },
  );

  clause(
    '7.5.1.2.2',
    'notificationEventCat is the Event Category; a ct= serialization indication is removed from the target',
    async () => {
      const ae = await registerAe(cse());
      const nu = target();
      const s = await subscribe(ae.path, ae.aei, { nu: [`${nu}?ct=json`], enc: { net: [1] }, nec: 2 });
      expect(s.rsc, JSON.stringify(s.body)).toBe(2001);
      await cse().req('PUT', ae.path, { from: ae.aei, body: { 'm2m:ae': { lbl: ['x'] } } });
      await rx.waitFor(
        () => rx.received.filter((x) => x.path === new URL(nu).pathname && x.body['m2m:sgn']?.nev).length,
      );
      const got = rx.received.find((x) => x.path === new URL(nu).pathname && x.body['m2m:sgn']?.nev)!;
      expect(got.headers['x-m2m-ec']).toBe('2');
    },
  );

  clause('7.4.8.2.1', 'a nu that is not the originator makes the originator the creator (cr)', async () => {
    const ae = await registerAe(cse());
    const r = await subscribe(ae.path, ae.aei, { nu: [target()] });
    expect(r.rsc).toBe(2001);
    expect(r.body['m2m:sub'].cr).toBe(ae.aei);
    expect(r.body['m2m:sub'].nct).toBe(1);
  });

  clause('7.4.8.2.1', 'notificationContentType incompatible with notificationEventType gets 4000', async () => {
    const ae = await registerAe(cse());
    const cnt = await container(ae);
    const r = await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [3] }, nct: 2 });
    expect(r.rsc, JSON.stringify(r.body)).toBe(4000);
    const ok = await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [1] }, nct: 2 });
    expect(ok.rsc).toBe(2001);
  });

  clause(
    '7.4.8.2.1',
    'a childResourceType that cannot be a child of the subscribed-to resource gets 4000',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const r = await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [3], chty: [2] } });
      expect(r.rsc).toBe(4000);
      const ok = await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [3], chty: [4] } });
      expect(ok.rsc).toBe(2001);
    },
  );

  clause('7.4.8.2.1', 'notificationEventType values that do not apply to the parent type get 4000', async () => {
    const ae = await registerAe(cse());
    expect((await subscribe(ae.path, ae.aei, { nu: [ae.aei], enc: { net: [5] } })).rsc).toBe(4000);
    expect(
      (await subscribe(ae.path, ae.aei, { nu: [ae.aei], enc: { net: [8], md: { num: 1, dur: 'PT1S' } } })).rsc,
    ).toBe(4000);
    expect((await subscribe(ae.path, ae.aei, { nu: [ae.aei], enc: { net: [9] } })).rsc).toBe(4000);
  });

  clause(
    '7.4.8.2.1',
    'Blocking_Update: several nu, other attributes, a URL target or a second one are refused',
    async () => {
      const poa = target();
      const ae = await registerAe(cse(), { poa: [poa] });
      const cnt = await container(ae);
      const other = await registerAe(cse(), { poa: [poa] });
      expect((await subscribe(cnt, ae.aei, { nu: [ae.aei, other.aei], enc: { net: [7] } })).rsc).toBe(4000);
      expect((await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [7] }, exc: 3 })).rsc).toBe(4000);
      expect((await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [7], chty: [4] } })).rsc).toBe(4000);
      expect((await subscribe(cnt, ae.aei, { nu: [poa], enc: { net: [7] } })).rsc).toBe(4000);
      const first = await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [7] } });
      expect(first.rsc, JSON.stringify(first.body)).toBe(2001);
      expect(first.body['m2m:sub'].nct).toBe(2);
      expect((await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [7] } })).rsc).toBe(4124);
    },
  );

  clause('7.4.8.2.3', 'Blocking_Update cannot be set by UPDATE (4000)', async () => {
    const ae = await registerAe(cse());
    const s = await subscribe(ae.path, ae.aei, { rn: 'bu', nu: [ae.aei] });
    expect(s.rsc).toBe(2001);
    const r = await cse().req('PUT', `${ae.path}/bu`, { from: ae.aei, body: { 'm2m:sub': { enc: { net: [7] } } } });
    expect(r.rsc).toBe(4000);
  });

  clause(
    '7.5.1.2.19',
    'Blocking_Update: the UPDATE waits for the notification and is refused (4127) when the target says no',
    async () => {
      const poa = target();
      const ae = await registerAe(cse(), { poa: [poa] });
      const cnt = await container(ae);
      expect((await subscribe(cnt, ae.aei, { nu: [ae.aei], enc: { net: [7] } })).rsc).toBe(2001);
      const ok = await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { lbl: ['allowed'] } } });
      expect(ok.rsc).toBe(2004);
      const seen = at(poa)().filter((x) => x.body['m2m:sgn']?.nev?.net === 7);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.body['m2m:sgn'].nev.rep).toEqual({ 'm2m:cnt': { lbl: ['allowed'] } });
      rx.rsc = (x) => (poa.endsWith(x.path) ? 4005 : 2000);
      try {
        const denied = await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { lbl: ['denied'] } } });
        expect(denied.rsc).toBe(4127);
      } finally {
        rx.rsc = () => 2000;
      }
      const now = await cse().req('GET', cnt, { from: ae.aei });
      expect(now.body['m2m:cnt'].lbl).toEqual(['allowed']);
    },
  );

  clause(
    '7.5.1.2.19',
    'a refused Blocking_Update leaves no side effect (disableRetrieval TRUE -> FALSE keeps the instances)',
    async () => {
      const poa = target();
      const ae = await registerAe(cse(), { poa: [poa] });
      const c = await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'd', disr: true } } });
      expect(c.rsc).toBe(2001);
      await addCin(`${ae.path}/d`, ae.aei, 'kept');
      expect((await subscribe(`${ae.path}/d`, ae.aei, { nu: [ae.aei], enc: { net: [7] } })).rsc).toBe(2001);
      rx.rsc = (x) => (poa.endsWith(x.path) ? 4005 : 2000);
      try {
        const r = await cse().req('PUT', `${ae.path}/d`, { from: ae.aei, body: { 'm2m:cnt': { disr: false } } });
        expect(r.rsc).toBe(4127);
      } finally {
        rx.rsc = () => 2000;
      }
      expect((await cse().req('GET', `${ae.path}/d`, { from: ae.aei })).body['m2m:cnt']).toMatchObject({
        cni: 1,
        disr: true,
      });
    },
  );

  clause(
    '7.5.1.2.2',
    'create, update (modified attributes), delete-child and delete events reach the target',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const nu2 = target();
      expect((await subscribe(cnt, ae.aei, { rn: 's2', nu: [nu2], enc: { net: [1] }, nct: 2 })).rsc).toBe(2001);
      const nu = target();
      expect((await subscribe(cnt, ae.aei, { rn: 's1', nu: [nu], enc: { net: [1, 2, 3, 4] } })).rsc).toBe(2001);
      const cin = await addCin(cnt, ae.aei, 'v1');
      await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { lbl: ['a'] } } });
      await cse().req('DELETE', `${cnt}/${cin.body['m2m:cin'].rn}`, { from: ae.aei });
      await cse().req('DELETE', cnt, { from: ae.aei });
      const nets = () =>
        at(nu)()
          .map((x) => x.body['m2m:sgn']?.nev?.net)
          .filter(Boolean);
      await rx.waitFor(() => nets().length, 4);
      await sleep(100);
      expect(nets().sort()).toEqual([1, 2, 3, 4]);
      await rx.waitFor(() => at(nu2)().length, 2);
      const upd = at(nu2)().find((x) => x.body['m2m:sgn']?.nev?.net === 1)!;
      expect(upd.body['m2m:sgn'].nev.rep).toEqual({ 'm2m:cnt': { lbl: ['a'] } });
    },
  );

  clause('7.5.1.2.2', 'nct 3 sends the resource ID; the attribute condition selects updates', async () => {
    const ae = await registerAe(cse());
    const cnt = await container(ae);
    const nu = target();
    expect((await subscribe(cnt, ae.aei, { nu: [nu], nct: 3, enc: { net: [1], atr: ['lbl'] } })).rsc).toBe(2001);
    await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { mni: 5 } } });
    await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { lbl: ['b'] } } });
    const got = await cse().req('GET', cnt, { from: ae.aei });
    await rx.waitFor(() => at(nu)().filter((x) => x.body['m2m:sgn'].nev).length);
    await sleep(200);
    const events = at(nu)().filter((x) => x.body['m2m:sgn'].nev);
    expect(events).toHaveLength(1);
    expect(events[0]!.body['m2m:sgn'].nev.rep).toBe(got.body['m2m:cnt'].ri);
  });

  clause('7.5.1.2.2', 'net 5: a RETRIEVE of the children of a container without instances is notified', async () => {
    const ae = await registerAe(cse());
    const cnt = await container(ae);
    const nu = target();
    expect((await subscribe(cnt, ae.aei, { nu: [nu], enc: { net: [5] } })).rsc).toBe(2001);
    await cse().req('GET', `${cnt}?rcn=4`, { from: ae.aei });
    await rx.waitFor(() => at(nu)().filter((x) => x.body['m2m:sgn'].nev?.net === 5).length);
  });

  clause(
    '7.4.8.2.1',
    'batchNotify: num notifications are sent as one m2m:agn; no duration -> the default is set',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const nu = target();
      const s = await subscribe(cnt, ae.aei, { nu: [nu], enc: { net: [3] }, bn: { num: 2 } });
      expect(s.rsc).toBe(2001);
      expect(s.body['m2m:sub'].bn).toEqual({ num: 2, dur: 'PT2S' });
      await addCin(cnt, ae.aei, 'a');
      await addCin(cnt, ae.aei, 'b');
      await rx.waitFor(() => at(nu)().filter((x) => x.body['m2m:agn']).length);
      const agn = at(nu)().find((x) => x.body['m2m:agn'])!.body['m2m:agn']['m2m:sgn'];
      expect(agn.map((g: any) => g.nev.rep['m2m:cin'].con)).toEqual(['a', 'b']);
      // One more: sent alone when the default duration (2 s) runs out.
      await addCin(cnt, ae.aei, 'c');
      await rx.waitFor(() => at(nu)().filter((x) => x.body['m2m:agn']).length, 2, 8000);
      expect(at(nu)().filter((x) => x.body['m2m:sgn']?.nev)).toHaveLength(0);
    },
  );

  clause(
    '7.4.8.2.1',
    'latestNotify: notifications carry Event Category "latest"; with batchNotify only the latest is sent',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const nu = target();
      expect(
        (await subscribe(cnt, ae.aei, { nu: [nu], enc: { net: [3] }, ln: true, bn: { num: 3, dur: 'PT30S' } })).rsc,
      ).toBe(2001);
      for (const v of ['1', '2', '3']) await addCin(cnt, ae.aei, v);
      await rx.waitFor(() => at(nu)().filter((x) => x.body['m2m:agn']).length);
      const sent = at(nu)().find((x) => x.body['m2m:agn'])!;
      expect(sent.headers['x-m2m-ec']).toBe('4');
      expect(sent.body['m2m:agn']['m2m:sgn'].map((g: any) => g.nev.rep['m2m:cin'].con)).toEqual(['3']);
    },
  );

  clause(
    '7.5.1.2.2',
    'expirationCounter: the subscription is deleted after exc notifications, with a deletion notice to su',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const nu = target();
      const su = target();
      const s = await subscribe(cnt, ae.aei, { rn: 'ex', nu: [nu], su, enc: { net: [3] }, exc: 2 });
      expect(s.rsc).toBe(2001);
      await addCin(cnt, ae.aei, '1');
      await rx.waitFor(() => at(nu)().filter((x) => x.body['m2m:sgn']?.nev).length);
      await sleep(100);
      expect((await cse().req('GET', `${cnt}/ex`, { from: ae.aei })).body['m2m:sub'].exc).toBe(1);
      await addCin(cnt, ae.aei, '2');
      await rx.waitFor(() => at(su)().filter((x) => x.body['m2m:sgn']?.sud).length);
      expect(at(su)()[0]!.body['m2m:sgn'].sur).toBe(`/id-in${cnt}/ex`);
      expect((await cse().req('GET', `${cnt}/ex`, { from: ae.aei })).rsc).toBe(4004);
    },
  );

  clause(
    '7.5.1.2.2',
    'rateLimit: at most mnn notifications per window; the rest wait for the next window',
    async () => {
      const ae = await registerAe(cse());
      const cnt = await container(ae);
      const nu = target();
      const s = await subscribe(cnt, ae.aei, { nu: [nu], enc: { net: [3] }, rl: { mnn: 2, tww: 'PT3S' } });
      expect(s.rsc, JSON.stringify(s.body)).toBe(2001);
      const start = Date.now();
      for (const v of ['1', '2', '3']) await addCin(cnt, ae.aei, v);
      const events = () => at(nu)().filter((x) => x.body['m2m:sgn']?.nev);
      await rx.waitFor(() => events().length, 2);
      await sleep(300);
      expect(events()).toHaveLength(2);
      await rx.waitFor(() => events().length, 3, 4000);
      const third = events()[2]!;
      expect(third.body['m2m:sgn'].nev.rep['m2m:cin'].con).toBe('3');
      expect(third.at - start).toBeGreaterThanOrEqual(900);
    },
  );

  clause('7.5.1.2.4', 'DELETE of a subscription sends the deletion notice (sud) to its subscriberURI', async () => {
    const ae = await registerAe(cse());
    const su = target();
    expect((await subscribe(ae.path, ae.aei, { rn: 'sd', nu: [ae.aei], su })).rsc).toBe(2001);
    expect((await cse().req('DELETE', `${ae.path}/sd`, { from: ae.aei })).rsc).toBe(2002);
    await rx.waitFor(() => at(su)().length);
    expect(at(su)()[0]!.body['m2m:sgn']).toEqual({ sud: true, sur: `/id-in${ae.path}/sd` });
  });

  clause('7.4.8.2.1', 'attributes whose procedures the CSE does not run are refused (4000), not stored', async () => {
    const ae = await registerAe(cse());
    // psn, nfu: Release 3 procedures not run here; nse / nsi: Release 4 (notification statistics);
    // rl without its time window.
    for (const extra of [{ rl: { mnn: 1 } }, { psn: 1 }, { nfu: 'http://127.0.0.1:9/x' }, { nse: true }, { nsi: [] }]) {
      const r = await subscribe(ae.path, ae.aei, { nu: [ae.aei], ...extra });
      expect(r.rsc, JSON.stringify(extra)).toBe(4000);
    }
  });

  clause('7.4.8.2.3', 'an UPDATE adding a notification target verifies it (5204 when it refuses)', async () => {
    const ae = await registerAe(cse());
    expect((await subscribe(ae.path, ae.aei, { rn: 'nv', nu: [ae.aei] })).rsc).toBe(2001);
    const victim = target();
    rx.rsc = (x) => (victim.endsWith(x.path) ? 4101 : 2000);
    try {
      const r = await cse().req('PUT', `${ae.path}/nv`, {
        from: ae.aei,
        body: { 'm2m:sub': { nu: [ae.aei, victim] } },
      });
      expect(r.rsc).toBe(5204);
    } finally {
      rx.rsc = () => 2000;
    }
    expect((await cse().req('GET', `${ae.path}/nv`, { from: ae.aei })).body['m2m:sub'].nu).toEqual([ae.aei]);
  });
});
