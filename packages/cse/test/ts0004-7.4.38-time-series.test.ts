// TS-0004 7.4.38 <timeSeries>, 7.4.39 <timeSeriesInstance>, and missing data detection and reporting
// (TS-0001 10.2.4.29, TS-0004 7.5.1.2.9).
import { HttpRequestSender } from '@m2msec/binding-http';
import { formatTimestamp } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { Cse } from '../src/index.js';
import { notificationReceiver, openCseOn, storeKinds, until } from './stores.js';

const at = (ms: number) => formatTimestamp(new Date(ms), { fraction: ms % 1000 !== 0 });

describe.each(storeKinds)('TS-0004 7.4.38 <timeSeries> and 7.4.39 <timeSeriesInstance> [%s]', (kind) => {
  it('CRUD: counters, quotas (mni evicts the oldest), la / ol, dgt unique per series (4105), no UPDATE (4005)', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cts');
    const ts = await send({ op: 1, to: 'cse-in/Cts', fr: 'Cts', ty: 29, pc: { 'm2m:ts': { rn: 'temp', mni: 2 } } });
    expect(ts.rsc, ts.dbg).toBe(2001);
    expect(ts.pc).toMatchObject({ 'm2m:ts': { mni: 2, cni: 0, cbs: 0 } });
    const tsi = (dgt: unknown, con: unknown = 20, rn?: string) =>
      send({ op: 1, to: 'cse-in/Cts/temp', fr: 'Cts', ty: 30, pc: { 'm2m:tsi': { dgt, con, ...(rn ? { rn } : {}) } } });
    const a = await tsi('20240101T000000', 20, 'a');
    expect(a.rsc, a.dbg).toBe(2001);
    expect(a.pc).toMatchObject({ 'm2m:tsi': { dgt: '20240101T000000', con: 20, cs: 2 } });
    const dup = await tsi('20240101T000000', 21, 'dup');
    expect([dup.rsc, dup.dbg]).toEqual([
      4105,
      "a timeSeriesInstance with dataGenerationTime 20240101T000000 already exists in 'cse-in/Cts/temp'",
    ]);
    // The same instant written differently is the same dgt.
    expect((await tsi('20240101T000000,000', 21, 'dup2')).rsc).toBe(4105);
    expect((await send({ op: 2, to: 'cse-in/Cts/temp/dup', fr: 'Cts' })).rsc).toBe(4004);
    expect((await tsi('20240101T000010', 'b-value', 'b')).rsc).toBe(2001);
    const c = await tsi(-1000, 22, 'c'); // relative: one second ago, stored as absolute
    expect(c.rsc, c.dbg).toBe(2001);
    expect((c.pc as any)['m2m:tsi'].dgt).toMatch(/^\d{8}T\d{6}(,\d+)?$/);
    const r = await send({ op: 2, to: 'cse-in/Cts/temp', fr: 'Cts' });
    expect(r.pc).toMatchObject({ 'm2m:ts': { cni: 2, cbs: 9 } }); // 'a' evicted; 'b-value' 7 bytes + 22 2 bytes
    expect((await send({ op: 2, to: 'cse-in/Cts/temp/a', fr: 'Cts' })).rsc).toBe(4004);
    const la = await send({ op: 2, to: 'cse-in/Cts/temp/la', fr: 'Cts' });
    expect(la.pc).toMatchObject({ 'm2m:tsi': { rn: 'c' } });
    const ol = await send({ op: 2, to: 'cse-in/Cts/temp/ol', fr: 'Cts' });
    expect(ol.pc).toMatchObject({ 'm2m:tsi': { rn: 'b' } });
    const upd = await send({ op: 3, to: 'cse-in/Cts/temp/b', fr: 'Cts', pc: { 'm2m:tsi': { lbl: ['x'] } } });
    expect(upd.rsc).toBe(4005);
    expect((await send({ op: 4, to: 'cse-in/Cts/temp/la', fr: 'Cts' })).rsc).toBe(2002);
    expect((await send({ op: 2, to: 'cse-in/Cts/temp', fr: 'Cts' })).pc).toMatchObject({ 'm2m:ts': { cni: 1 } });
    expect((await send({ op: 4, to: 'cse-in/Cts/temp', fr: 'Cts' })).rsc).toBe(2002);
  });

  it('lowering mni, mbs or mia evicts the oldest instances at once and keeps the counters exact', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cts');
    await send({ op: 1, to: 'cse-in/Cts', fr: 'Cts', ty: 29, pc: { 'm2m:ts': { rn: 'ts', mni: 10 } } });
    for (const [i, con] of ['aa', 'bb', 'cc', 'dd'].entries()) {
      const r = await send({
        op: 1,
        to: 'cse-in/Cts/ts',
        fr: 'Cts',
        ty: 30,
        pc: { 'm2m:tsi': { rn: con, dgt: `2024010${i + 1}T000000`, con } },
      });
      expect(r.rsc, r.dbg).toBe(2001);
    }
    const up = (attrs: Record<string, unknown>) =>
      send({ op: 3, to: 'cse-in/Cts/ts', fr: 'Cts', pc: { 'm2m:ts': attrs } });
    const mni = await up({ mni: 3 });
    expect(mni.rsc, mni.dbg).toBe(2004);
    expect(mni.pc).toMatchObject({ 'm2m:ts': { mni: 3, cni: 3, cbs: 6 } });
    expect((await send({ op: 2, to: 'cse-in/Cts/ts/aa', fr: 'Cts' })).rsc).toBe(4004);
    expect((await up({ mbs: 4 })).pc).toMatchObject({ 'm2m:ts': { cni: 2, cbs: 4 } });
    expect((await send({ op: 2, to: 'cse-in/Cts/ts/ol', fr: 'Cts' })).pc).toMatchObject({ 'm2m:tsi': { rn: 'cc' } });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await up({ mia: 1 })).pc).toMatchObject({ 'm2m:ts': { cni: 0, cbs: 0 } });
    expect((await send({ op: 2, to: 'cse-in/Cts/ts/la', fr: 'Cts' })).rsc).toBe(4004);
  });

  it('refuses bad instances: missing dgt or con, ill-formed dgt, too large for mbs (5207), wrong parent (4108)', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cts');
    await send({ op: 1, to: 'cse-in/Cts', fr: 'Cts', ty: 29, pc: { 'm2m:ts': { rn: 'ts', mbs: 4 } } });
    await send({ op: 1, to: 'cse-in/Cts', fr: 'Cts', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const mk = (to: string, attrs: Record<string, unknown>) =>
      send({ op: 1, to, fr: 'Cts', ty: 30, pc: { 'm2m:tsi': attrs } });
    const noDgt = await mk('cse-in/Cts/ts', { con: 1 });
    expect([noDgt.rsc, noDgt.dbg]).toEqual([4000, "missing mandatory attribute 'dgt' in m2m:tsi"]);
    expect((await mk('cse-in/Cts/ts', { dgt: 0 })).dbg).toBe("missing mandatory attribute 'con' in m2m:tsi");
    const badDgt = await mk('cse-in/Cts/ts', { dgt: 'yesterday', con: 1 });
    expect(badDgt.rsc).toBe(4000);
    expect(badDgt.dbg).toContain("attribute 'dgt' of m2m:tsi must be an m2m:absRelTimestamp");
    expect((await mk('cse-in/Cts/ts', { dgt: 0, con: 1, cs: 1 })).rsc).toBe(4000);
    expect((await mk('cse-in/Cts/ts', { dgt: 0, con: 'too long' })).rsc).toBe(5207);
    expect((await mk('cse-in/Cts/box', { dgt: 0, con: 1 })).rsc).toBe(4108);
    expect((await send({ op: 2, to: 'cse-in/Cts/ts', fr: 'Cts' })).pc).toMatchObject({ 'm2m:ts': { cni: 0, cbs: 0 } });
  });

  it('checks periodicInterval, periodicIntervalDelta and missing data settings on CREATE and UPDATE (7.4.38.2.1 / .3)', async () => {
    const { send, registerAe } = await openCseOn(kind);
    await registerAe('Cts');
    const mk = (attrs: Record<string, unknown>) =>
      send({ op: 1, to: 'cse-in/Cts', fr: 'Cts', ty: 29, pc: { 'm2m:ts': attrs } });
    const peid = await mk({ pei: 1000, peid: 600 });
    expect([peid.rsc, peid.dbg]).toEqual([
      4000,
      'periodicIntervalDelta (peid) 600 must not exceed periodicInterval/2 (500)',
    ]);
    const noTimer = await mk({ pei: 1000, mdd: true });
    expect([noTimer.rsc, noTimer.dbg]).toEqual([
      4000,
      'missingDataDetect (mdd) true needs missingDataDetectTimer (mdt)',
    ]);
    expect((await mk({ pei: 1000, peid: 100, mdd: true, mdt: 100 })).rsc).toBe(4000);
    expect((await mk({ cni: 1 })).rsc).toBe(4000);
    expect((await mk({ mdlt: [] })).rsc).toBe(4000);
    const ok = await mk({ rn: 'ts', pei: 1000, mdd: true, mdt: 500, mdn: 3 });
    expect(ok.rsc, ok.dbg).toBe(2001);
    expect(ok.pc).toMatchObject({ 'm2m:ts': { peid: 100, mdlt: [], mdc: 0 } }); // default peid: pei / 10
    const up = (attrs: Record<string, unknown>) =>
      send({ op: 3, to: 'cse-in/Cts/ts', fr: 'Cts', pc: { 'm2m:ts': attrs } });
    const whileOn = await up({ mdt: 800 });
    expect([whileOn.rsc, whileOn.dbg]).toEqual([4000, 'mdt cannot be updated while missingDataDetect (mdd) is true']);
    const together = await up({ mdd: false, pei: 2000 });
    expect([together.rsc, together.dbg]).toEqual([4000, 'pei cannot be updated together with missingDataDetect (mdd)']);
    expect((await up({ mdd: false })).rsc).toBe(2004);
    const off = await up({ pei: 2000 });
    expect(off.rsc, off.dbg).toBe(2004);
    expect(off.pc).toMatchObject({ 'm2m:ts': { pei: 2000, peid: 200 } });
    expect((await up({ peid: 1500 })).rsc).toBe(4000);
    expect((await up({ mdc: 1 })).rsc).toBe(4000);
  });
});

describe.each(storeKinds)('TS-0004 7.5.1.2.9 missing time series data detection and notification [%s]', (kind) => {
  it('records missing points in mdlt / mdc (capped by mdn) and notifies net 8 subscribers with m2m:tsn', async () => {
    const { url, events } = await notificationReceiver();
    const wide = await notificationReceiver();
    const updates = await notificationReceiver();
    const { send, registerAe } = await openCseOn(kind, { senders: [new HttpRequestSender()] });
    await registerAe('Cts');
    const pei = 300;
    const c = await send({
      op: 1,
      to: 'cse-in/Cts',
      fr: 'Cts',
      ty: 29,
      pc: { 'm2m:ts': { rn: 'ts', pei, peid: 50, mdd: true, mdt: 100, mdn: 2 } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    const sub = (rn: string, nu: string, dur: string) =>
      send({
        op: 1,
        to: 'cse-in/Cts/ts',
        fr: 'Cts',
        ty: 23,
        pc: { 'm2m:sub': { rn, nu: [nu], enc: { net: [8], md: { num: 1, dur } } } },
      });
    expect((await sub('missing', url, 'PT0.3S')).rsc).toBe(2001);
    // A window longer than periodicInterval generates no missing data notification (TS-0004 7.4.8.2.1).
    expect((await sub('wide', wide.url, 'PT1S')).rsc).toBe(2001);
    const plain = await send({
      op: 1,
      to: 'cse-in/Cts/ts',
      fr: 'Cts',
      ty: 23,
      pc: { 'm2m:sub': { rn: 'updates', nu: [updates.url], enc: { net: [1] } } },
    });
    expect(plain.rsc, plain.dbg).toBe(2001);
    const t0 = Date.now() + 200;
    const tsi = (ms: number) =>
      send({ op: 1, to: 'cse-in/Cts/ts', fr: 'Cts', ty: 30, pc: { 'm2m:tsi': { dgt: at(ms), con: 1 } } });
    expect((await tsi(t0)).rsc).toBe(2001); // monitoring starts: points expected at t0 + N * pei
    expect((await tsi(t0 + 2 * pei + 20)).rsc).toBe(2001); // point 2 arrives (within peid); 1 and 3 will not
    await until(() => events().length >= 1, 3000);
    expect(events()[0]!.body['m2m:sgn']).toMatchObject({
      nev: { net: 8, rep: { 'm2m:tsn': { mdlt: [at(t0 + pei)], mdc: 1 } } },
      sur: '/id-in/cse-in/Cts/ts/missing',
    });
    await until(() => events().length >= 2, 3000);
    // Point 3's window started afresh (the first one, 0.3 s, expired): mdc counts from 1 again.
    expect(events()[1]!.body['m2m:sgn'].nev.rep).toEqual({ 'm2m:tsn': { mdlt: [at(t0 + 3 * pei)], mdc: 1 } });
    await until(() => events().length >= 3, 3000);
    const ts = await send({ op: 2, to: 'cse-in/Cts/ts', fr: 'Cts' });
    // mdn 2: the oldest point (1) was dropped; point 2 never was missing.
    expect(ts.pc).toMatchObject({ 'm2m:ts': { mdlt: [at(t0 + 3 * pei), at(t0 + 4 * pei)], mdc: 2 } });
    expect(wide.events()).toEqual([]);
    // Each detected point changed mdlt / mdc: an update (net 1) of the timeSeries.
    await until(() => updates.events().length >= 3);
    expect(updates.events()[0]!.body['m2m:sgn'].nev).toMatchObject({ net: 1, rep: { 'm2m:ts': { mdc: 1 } } });

    // Pausing keeps the state and stops detection (TS-0001 10.2.4.29).
    expect((await send({ op: 3, to: 'cse-in/Cts/ts', fr: 'Cts', pc: { 'm2m:ts': { mdd: false } } })).rsc).toBe(2004);
    const seen = events().length;
    await new Promise((r) => setTimeout(r, 2 * pei + 100));
    expect(events().length).toBe(seen);
    const paused = await send({ op: 2, to: 'cse-in/Cts/ts', fr: 'Cts' });
    expect(paused.pc).toMatchObject({ 'm2m:ts': { mdd: false, mdc: 2 } });
    // Switching it on again clears mdlt and mdc.
    const on = await send({ op: 3, to: 'cse-in/Cts/ts', fr: 'Cts', pc: { 'm2m:ts': { mdd: true } } });
    expect(on.pc).toMatchObject({ 'm2m:ts': { mdd: true, mdlt: [], mdc: 0 } });
  });

  it('a restarted CSE monitors again from the newest instance (the timers did not survive)', async () => {
    const first = await openCseOn(kind);
    await first.registerAe('Cts');
    const pei = 200;
    await first.send({
      op: 1,
      to: 'cse-in/Cts',
      fr: 'Cts',
      ty: 29,
      pc: { 'm2m:ts': { rn: 'ts', pei, peid: 20, mdd: true, mdt: 50 } },
    });
    const t0 = Date.now() + 300;
    await first.send({ op: 1, to: 'cse-in/Cts/ts', fr: 'Cts', ty: 30, pc: { 'm2m:tsi': { dgt: at(t0), con: 1 } } });
    await first.cse.stop(); // before the first point is due: nothing was detected yet
    const again = await Cse.open({ store: first.store, config: { expirySweepMs: 0 } });
    try {
      const mdc = async () =>
        (
          (await again.handle({ op: 2, to: 'cse-in/Cts/ts', fr: 'CAdmin', rqi: 'r', rvi: '3' }, { binding: 'http' }))
            .pc as any
        )['m2m:ts'].mdc as number;
      let n = 0;
      for (let i = 0; i < 60 && n < 1; i++) {
        n = await mdc();
        if (n < 1) await new Promise((r) => setTimeout(r, 50));
      }
      expect(n).toBeGreaterThanOrEqual(1);
    } finally {
      await again.stop();
    }
  });
});
