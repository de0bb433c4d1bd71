// Conditional retrieval and discovery (TS-0004 7.3.3.6, 7.3.3.14, 7.3.3.17; TS-0001 8.1.2), Result Content
// of DELETE and CREATE, on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchemas, openCseOn, STORES, type StoreKind } from './both-stores.js';

afterAll(dropTestSchemas);

type Opened = Awaited<ReturnType<typeof openCseOn>>;
const uril = (r: { pc?: unknown }) => (r.pc as { 'm2m:uril': string[] })['m2m:uril'];

/**
 * cse-in/Cf: room1 [floor1] with cin a (cs 1, text/plain, [hot]), b (cs 5, application/json), c (cs 10);
 * room2 [floor2] with sub [deep] holding cin d (cs 2). State tags: room1 3, sub 1, room2 0.
 */
async function tree(o: Opened) {
  await o.registerAe('Cf');
  await o.registerAe('Cother');
  await o.make('cse-in/Cf', 'Cf', 3, 'm2m:cnt', { rn: 'room1', lbl: ['floor1'] });
  await o.make('cse-in/Cf/room1', 'Cf', 4, 'm2m:cin', { rn: 'a', con: 'x', cnf: 'text/plain:0', lbl: ['hot'] });
  await o.make('cse-in/Cf/room1', 'Cf', 4, 'm2m:cin', { rn: 'b', con: 'hello', cnf: 'application/json:0' });
  await o.make('cse-in/Cf/room1', 'Cf', 4, 'm2m:cin', { rn: 'c', con: '1234567890' });
  await o.make('cse-in/Cf', 'Cf', 3, 'm2m:cnt', { rn: 'room2', lbl: ['floor2'] });
  await o.make('cse-in/Cf/room2', 'Cf', 3, 'm2m:cnt', { rn: 'sub', lbl: ['deep'] });
  await o.make('cse-in/Cf/room2/sub', 'Cf', 4, 'm2m:cin', { rn: 'd', con: 'zz' });
}

describe.each(STORES)('%s store', (kind: StoreKind) => {
  let o: Opened;
  beforeAll(async () => {
    o = await openCseOn(kind);
    await tree(o);
  });
  afterAll(() => o.close());
  const discover = async (fc: Record<string, unknown>, fr = 'Cf', extra: Record<string, unknown> = {}) => {
    const r = await o.send({ op: 2, to: 'cse-in/Cf', fr, fc: { fu: 1, ...fc }, ...extra });
    expect(r.rsc, r.dbg).toBe(2000);
    return uril(r).map((u) => u.replace('cse-in/Cf/', ''));
  };

  describe('TS-0004 7.3.3.6 / TS-0001 8.1.2: rcn 4, 5, 6, 8 cover descendants', () => {
    it('rcn=4 nests every descendant under its parent', async () => {
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 4 });
      expect(r.rsc, r.dbg).toBe(2000);
      const ae = (r.pc as any)['m2m:ae'];
      expect(ae.aei).toBeDefined();
      const [room1, room2] = ae['m2m:cnt'];
      expect(room1['m2m:cin'].map((c: any) => c.rn)).toEqual(['a', 'b', 'c']);
      expect(room2['m2m:cnt'][0]['m2m:cin'].map((c: any) => c.rn)).toEqual(['d']);
    });

    it('rcn=4 with ty=4 keeps matches whose parents do not match (nested under the target)', async () => {
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 4, fc: { ty: [4] } });
      const ae = (r.pc as any)['m2m:ae'];
      expect(ae['m2m:cnt']).toBeUndefined();
      expect(ae['m2m:cin'].map((c: any) => c.rn)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('rcn=8 returns only the nested children, limited by lvl (7.3.3.17.14)', async () => {
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 8, fc: { lvl: 2 } });
      const ae = (r.pc as any)['m2m:ae'];
      expect(ae.ri).toBeUndefined();
      expect(ae['m2m:cnt'].map((c: any) => c.rn)).toEqual(['room1', 'room2']);
      expect(ae['m2m:cnt'][1]['m2m:cnt'].map((c: any) => c.rn)).toEqual(['sub']);
      expect(ae['m2m:cnt'][1]['m2m:cnt'][0]['m2m:cin']).toBeUndefined();
    });

    it('rcn=6 and rcn=5 reference descendants, not only direct children', async () => {
      const r6 = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 6 });
      const rrf = (r6.pc as any)['m2m:rrl'].rrf;
      expect(rrf.map((x: any) => x.val.replace('cse-in/Cf/', ''))).toEqual([
        'room1',
        'room1/a',
        'room1/b',
        'room1/c',
        'room2',
        'room2/sub',
        'room2/sub/d',
      ]);
      expect(rrf[1]).toEqual({ nm: 'a', typ: 4, val: 'cse-in/Cf/room1/a' });
      const r5 = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 5, fc: { ty: [4], lim: 2 } });
      const ae = (r5.pc as any)['m2m:ae'];
      expect(ae.ch.map((x: any) => x.nm)).toEqual(['a', 'b']);
      const lvl1 = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 6, fc: { lvl: 1 } });
      expect((lvl1.pc as any)['m2m:rrl'].rrf.map((x: any) => x.nm)).toEqual(['room1', 'room2']);
    });
  });

  describe('TS-0004 7.3.3.17: matching conditions', () => {
    it('7.3.3.17.7 sizeAbove / sizeBelow on contentSize', async () => {
      expect(await discover({ sza: 5 })).toEqual(['room1/b', 'room1/c']);
      expect(await discover({ szb: 5 })).toEqual(['room1/a', 'room2/sub/d']);
      expect(await discover({ sza: 2, szb: 10 })).toEqual(['room1/b', 'room2/sub/d']);
    });

    it('7.3.3.17.8 contentType against the typeOfContent of contentInfo', async () => {
      expect(await discover({ cty: ['text/plain'] })).toEqual(['room1/a']);
      expect(await discover({ cty: ['application/json', 'text/plain'] })).toEqual(['room1/a', 'room1/b']);
    });

    it('7.3.3.17.3 stateTagBigger / stateTagSmaller', async () => {
      expect(await discover({ ty: [3], stb: 1 })).toEqual(['room1', 'room2/sub']);
      expect(await discover({ ty: [3], sts: 1 })).toEqual(['room2']);
      // contentInstances carry the state tag their container had plus one: a 1, b 2, c 3, d 1.
      expect(await discover({ stb: 1, sts: 3 })).toEqual(['room1/a', 'room1/b', 'room2/sub', 'room2/sub/d']);
    });

    it('7.3.3.17.1 / .2 / .4 / .5 / .6 creation, modification, expiration times, labels, types', async () => {
      expect(await discover({ lbl: ['floor1', 'deep'] })).toEqual(['room1', 'room2/sub']);
      expect(await discover({ ty: [3, 4], lbl: ['hot'] })).toEqual(['room1/a']);
      expect(await discover({ cra: '29990101T000000' })).toEqual([]);
      expect(await discover({ crb: '29990101T000000', ty: [3] })).toEqual(['room1', 'room2', 'room2/sub']);
      expect(await discover({ ms: '20000101T000000', us: '29990101T000000', ty: [3] })).toHaveLength(3);
      expect(await discover({ exb: '20000101T000000' })).toEqual([]);
    });

    it('7.3.3.17.12 filterOperation OR across condition tags; AND by default', async () => {
      expect(await discover({ ty: [3], lbl: ['hot'], fo: 2 })).toEqual(['room1', 'room1/a', 'room2', 'room2/sub']);
      expect(await discover({ ty: [3], lbl: ['hot'] })).toEqual([]);
      expect(await discover({ sza: 10, cty: ['text/plain'], fo: 2 })).toEqual(['room1/a', 'room1/c']);
    });

    it('7.3.3.17.9 attribute conditions, ORed when repeated, wildcard in discovery', async () => {
      expect(await discover({ atr: [{ nm: 'rn', val: 'room*' }] })).toEqual(['room1', 'room2']);
      expect(
        await discover({
          atr: [
            { nm: 'rn', val: 'room1' },
            { nm: 'rn', val: 'sub' },
          ],
        }),
      ).toEqual(['room1', 'room2/sub']);
      expect(await discover({ ty: [4], atr: [{ nm: 'con', val: 'hello' }] })).toEqual(['room1/b']);
      // Values given as text match numbers (query strings carry text); an absent attribute never matches.
      expect(await discover({ atr: [{ nm: 'cni', val: '3' }] })).toEqual(['room1']);
      expect(await discover({ atr: [{ nm: 'nosuch', val: '*' }] })).toEqual([]);
      // Internal bookkeeping is not an attribute.
      expect(await discover({ atr: [{ nm: '__cr', val: '*' }] })).toEqual([]);
      // Outside discovery '*' is a literal character.
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 6, fc: { atr: [{ nm: 'rn', val: 'room*' }] } });
      expect((r.pc as any)['m2m:rrl'].rrf).toEqual([]);
    });

    it('7.3.3.17.5 / .6 / .9 parent and child conditions (parentResourceType, parentLabels, parentAttribute, childResourceType, childLabels)', async () => {
      expect(await discover({ pty: [3] })).toEqual(['room1/a', 'room1/b', 'room1/c', 'room2/sub', 'room2/sub/d']);
      expect(await discover({ palb: ['floor2'] })).toEqual(['room2/sub']);
      expect(await discover({ patr: [{ nm: 'rn', val: 'room1' }] })).toEqual(['room1/a', 'room1/b', 'room1/c']);
      expect(await discover({ chty: [4] })).toEqual(['room1', 'room2/sub']);
      expect(await discover({ clbl: ['hot'] })).toEqual(['room1']);
      expect(await discover({ clbl: ['deep'] })).toEqual(['room2']);
      expect(await discover({ chty: [3], clbl: ['hot'], fo: 2 })).toEqual(['room1', 'room2']);
      expect(await discover({ catr: [{ nm: 'con', val: 'hello' }] })).toEqual(['room1']);
      expect(await discover({ catr: [{ nm: 'rn', val: 's*' }] })).toEqual(['room2']);
      const r = await o.send({ op: 2, to: 'cse-in/Cf/room2', fr: 'Cf', fc: { fu: 2, chty: [4] } });
      expect(r.rsc).toBe(4004); // room2's child is a container
    });

    it('7.3.3.17.9 refuses conditions on attributes that have their own element (4000)', async () => {
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, atr: [{ nm: 'ct', val: 'x' }] } });
      expect(r.rsc).toBe(4000);
      expect(r.dbg).toMatch(/'ct' cannot be an attribute filter condition/);
    });

    it('refuses filter elements it does not evaluate with 5001 instead of ignoring them', async () => {
      for (const fc of [{ smf: ['x'] }, { cfs: 2, cfq: 'x' }]) {
        const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 6, fc: { fu: 2, ...fc } });
        expect(r.rsc, JSON.stringify(fc)).toBe(5001);
        expect(r.dbg).toMatch(/is not supported by this CSE/);
        const d = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, ...fc } });
        expect(d.rsc).toBe(5001);
      }
    });

    it('7.3.3.14: filterUsage 3 (IPE on-demand discovery) is refused with 5001, not served as a plain RETRIEVE', async () => {
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 3, ty: [4] } });
      expect(r.rsc).toBe(5001);
      expect(r.dbg).toMatch(/IPE on-demand discovery/);
    });

    it('7.3.3.17.17 applyRelativePath replaces each match by the resource at its relative path', async () => {
      expect(await discover({ ty: [3], arp: 'la' })).toEqual(['room1/c', 'room2/sub/d']);
      expect(await discover({ ty: [4], arp: '..' })).toEqual(['room1', 'room2/sub']); // each result once
      expect(await discover({ lbl: ['hot'], arp: '../../room2' })).toEqual(['room2']);
      expect(await discover({ ty: [4], arp: 'nosuch' })).toEqual([]);
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 6, fc: { ty: [3], arp: 'ol' } });
      expect((r.pc as any)['m2m:rrl'].rrf.map((x: any) => x.nm)).toEqual(['a', 'd']);
      for (const arp of ['/cse-in/Cf', 'a//b', 'la?x=1']) {
        const bad = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, arp } });
        expect(bad.rsc, arp).toBe(4000);
      }
    });

    it('7.3.3.1: a conditional RETRIEVE (rcn=1) of a target that does not match is NOT_FOUND', async () => {
      const miss = await o.send({ op: 2, to: 'cse-in/Cf/room1', fr: 'Cf', fc: { fu: 2, lbl: ['nope'] } });
      expect(miss.rsc).toBe(4004);
      const hit = await o.send({ op: 2, to: 'cse-in/Cf/room1', fr: 'Cf', fc: { fu: 2, lbl: ['floor1'] } });
      expect(hit.rsc).toBe(2000);
      expect((hit.pc as any)['m2m:cnt'].rn).toBe('room1');
    });
  });

  describe('TS-0004 7.3.3.17.10 / .15: limit and offset', () => {
    it('offset 1 is the first match; limit caps what follows', async () => {
      expect(await discover({ ty: [4], lim: 2, ofst: 2 })).toEqual(['room1/b', 'room1/c']);
      expect(await discover({ ty: [4], ofst: 1 })).toEqual(['room1/a', 'room1/b', 'room1/c', 'room2/sub/d']);
      expect(await discover({ ty: [4], ofst: 4 })).toEqual(['room2/sub/d']);
      expect(await discover({ ty: [4], ofst: 5 })).toEqual([]);
      expect(await discover({ lim: 0 })).toEqual([]);
    });
  });

  describe('TS-0004 7.3.3.14 discovery', () => {
    it('answers m2m:uril, structured by default and resource IDs with drt=2', async () => {
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, ty: [4] }, drt: 2 });
      expect(uril(r)).toHaveLength(4);
      for (const ri of uril(r)) expect(ri).not.toContain('/');
      const byRi = await o.send({ op: 2, to: uril(r)[0]!, fr: 'Cf' });
      expect((byRi.pc as any)['m2m:cin'].rn).toBe('a');
    });

    it('decides DISCOVER on the candidates only: RETRIEVE alone grants no discovery', async () => {
      const acp = await o.make('cse-in/Cf', 'Cf', 1, 'm2m:acp', {
        rn: 'seeRoom2',
        pv: { acr: [{ acor: ['Cother'], acop: 32 }] },
        pvs: { acr: [{ acor: ['Cf'], acop: 63 }] },
      });
      const readOnly = await o.make('cse-in/Cf', 'Cf', 1, 'm2m:acp', {
        rn: 'readRoom1',
        pv: { acr: [{ acor: ['Cother'], acop: 2 }] },
        pvs: { acr: [{ acor: ['Cf'], acop: 63 }] },
      });
      const u1 = await o.send({ op: 3, to: 'cse-in/Cf/room2', fr: 'Cf', pc: { 'm2m:cnt': { acpi: [acp.ri] } } });
      expect(u1.rsc, u1.dbg).toBe(2004);
      const u2 = await o.send({ op: 3, to: 'cse-in/Cf/room1', fr: 'Cf', pc: { 'm2m:cnt': { acpi: [readOnly.ri] } } });
      expect(u2.rsc, u2.dbg).toBe(2004);
      try {
        // The root (the AE) grants Cother nothing; discovery still returns the candidates it may discover.
        expect(await discover({}, 'Cother')).toEqual(['room2']);
        expect(await discover({ ty: [3] }, 'Cother')).toEqual(['room2']);
        // A child or parent condition sees only what the originator may access: room2's child 'sub' (label
        // 'deep', a container) is not discoverable by Cother, so it cannot make room2 match.
        expect(await discover({ clbl: ['deep'] }, 'Cother')).toEqual([]);
        expect(await discover({ chty: [3] }, 'Cother')).toEqual([]);
        expect(await discover({ catr: [{ nm: 'rn', val: 'sub' }] }, 'Cother')).toEqual([]);
        // ...and RETRIEVE of the subtree shows only what it may RETRIEVE, after the target's own check.
        const denied = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cother', rcn: 6 });
        expect(denied.rsc).toBe(4103);
      } finally {
        await o.send({ op: 3, to: 'cse-in/Cf/room2', fr: 'Cf', pc: { 'm2m:cnt': { acpi: null } } });
        await o.send({ op: 3, to: 'cse-in/Cf/room1', fr: 'Cf', pc: { 'm2m:cnt': { acpi: null } } });
        await o.send({ op: 4, to: 'cse-in/Cf/seeRoom2', fr: 'Cf' });
        await o.send({ op: 4, to: 'cse-in/Cf/readRoom1', fr: 'Cf' });
      }
    });
  });
});

describe.each(STORES)('%s store: budget (TS-0001 8.1.2 Content Status / Content Offset)', (kind: StoreKind) => {
  it('stops at maxCandidates with PARTIAL_CONTENT and an offset that continues the walk', async () => {
    const o = await openCseOn(kind, { config: { filterBudget: { maxCandidates: 3, maxResults: 100, maxMs: 60_000 } } });
    try {
      await tree(o);
      const seen: string[] = [];
      let ofst: number | undefined;
      for (let round = 0; round < 5; round++) {
        const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, ...(ofst ? { ofst } : {}) } });
        expect(r.rsc).toBe(2000);
        seen.push(...uril(r));
        if (r.cnst === undefined) break;
        expect(r.cnst).toBe(1);
        expect(uril(r)).toHaveLength(3);
        ofst = r.cnot;
        expect(ofst).toBe(seen.length + 1);
      }
      expect(seen.map((u) => u.replace('cse-in/Cf/', ''))).toEqual([
        'room1',
        'room1/a',
        'room1/b',
        'room1/c',
        'room2',
        'room2/sub',
        'room2/sub/d',
      ]);
      // rcn 4 too: partial content is flagged, never silently cut.
      const r4 = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', rcn: 4 });
      expect(r4.cnst).toBe(1);
      expect(r4.cnot).toBe(4);
      // An originator limit within the budget is a complete answer.
      const lim = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, lim: 2 } });
      expect(uril(lim)).toHaveLength(2);
      expect(lim.cnst).toBeUndefined();
    } finally {
      await o.close();
    }
  });

  it('stops when the time budget is spent, with what it found so far', async () => {
    // A budget already spent when the walk starts (maxMs -1): one candidate, then the deadline check.
    const o = await openCseOn(kind, { config: { filterBudget: { maxCandidates: 1000, maxResults: 100, maxMs: -1 } } });
    try {
      await tree(o);
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1 } });
      expect(uril(r)).toEqual(['cse-in/Cf/room1']);
      expect([r.cnst, r.cnot]).toEqual([1, 2]);
    } finally {
      await o.close();
    }
  });

  it('stops inside a child condition when the time budget is spent (PARTIAL_CONTENT, or 5000 for rcn=1)', async () => {
    const o = await openCseOn(kind, { config: { filterBudget: { maxCandidates: 1000, maxResults: 100, maxMs: -1 } } });
    try {
      await tree(o);
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, catr: [{ nm: 'con', val: 'x' }] } });
      expect([r.rsc, r.cnst, r.cnot]).toEqual([2000, 1, 1]);
      expect(uril(r)).toEqual([]);
      const one = await o.send({
        op: 2,
        to: 'cse-in/Cf/room1',
        fr: 'Cf',
        fc: { fu: 2, catr: [{ nm: 'con', val: 'x' }] },
      });
      expect(one.rsc).toBe(5000);
      expect(one.dbg).toMatch(/filterBudget.maxMs/);
    } finally {
      await o.close();
    }
  });

  it('caps the number of results at maxResults and says the content is partial', async () => {
    const o = await openCseOn(kind, {
      config: { filterBudget: { maxCandidates: 1000, maxResults: 2, maxMs: 60_000 } },
    });
    try {
      await tree(o);
      const r = await o.send({ op: 2, to: 'cse-in/Cf', fr: 'Cf', fc: { fu: 1, lim: 50 } });
      expect(uril(r)).toHaveLength(2);
      expect([r.cnst, r.cnot]).toEqual([1, 3]);
    } finally {
      await o.close();
    }
  });
});

describe.each(STORES)('%s store: Result Content of DELETE and CREATE (TS-0004 6.3.4.2.20)', (kind: StoreKind) => {
  it('DELETE with rcn 1, 4, 6 returns the deleted resource and its subtree', async () => {
    const o = await openCseOn(kind);
    try {
      await tree(o);
      const r4 = await o.send({ op: 4, to: 'cse-in/Cf/room1', fr: 'Cf', rcn: 4 });
      expect(r4.rsc, r4.dbg).toBe(2002);
      const cnt = (r4.pc as any)['m2m:cnt'];
      expect(cnt.rn).toBe('room1');
      expect(cnt['m2m:cin'].map((c: any) => c.rn)).toEqual(['a', 'b', 'c']);
      const r6 = await o.send({ op: 4, to: 'cse-in/Cf/room2', fr: 'Cf', rcn: 6 });
      expect((r6.pc as any)['m2m:rrl'].rrf.map((x: any) => x.nm)).toEqual(['sub', 'd']);
      await o.make('cse-in/Cf', 'Cf', 3, 'm2m:cnt', { rn: 'gone' });
      const r1 = await o.send({ op: 4, to: 'cse-in/Cf/gone', fr: 'Cf', rcn: 1 });
      expect((r1.pc as any)['m2m:cnt'].rn).toBe('gone');
      const r0 = await o.send({ op: 4, to: 'cse-in/Cf', fr: 'Cf', rcn: 0 });
      expect([r0.rsc, r0.pc]).toEqual([2002, undefined]);
      const fc = await o.send({ op: 4, to: 'cse-in/Cother', fr: 'Cother', fc: { ty: [3] } });
      expect(fc.rsc).toBe(5001);
      const up = await o.send({
        op: 3,
        to: 'cse-in/Cother',
        fr: 'Cother',
        fc: { ty: [3] },
        pc: { 'm2m:ae': { lbl: ['x'] } },
      });
      expect(up.rsc).toBe(5001);
      expect((await o.send({ op: 2, to: 'cse-in/Cother', fr: 'Cother' })).pc).not.toHaveProperty(['m2m:ae', 'lbl']);
      expect((await o.send({ op: 2, to: 'cse-in/Cother', fr: 'Cother' })).rsc).toBe(2000);
    } finally {
      await o.close();
    }
  });

  it('DELETE with rcn=4/6 shows only the descendants the originator may RETRIEVE', async () => {
    const o = await openCseOn(kind);
    try {
      await tree(o);
      // Cother may DELETE room1 but not RETRIEVE it or its instances (they are governed by room1's policy).
      const acp = await o.make('cse-in/Cf', 'Cf', 1, 'm2m:acp', {
        rn: 'deleteOnly',
        pv: { acr: [{ acor: ['Cother'], acop: 8 }] },
        pvs: { acr: [{ acor: ['Cf'], acop: 63 }] },
      });
      const u = await o.send({ op: 3, to: 'cse-in/Cf/room1', fr: 'Cf', pc: { 'm2m:cnt': { acpi: [acp.ri] } } });
      expect(u.rsc, u.dbg).toBe(2004);
      expect((await o.send({ op: 2, to: 'cse-in/Cf/room1/a', fr: 'Cother' })).rsc).toBe(4103);
      const r = await o.send({ op: 4, to: 'cse-in/Cf/room1', fr: 'Cother', rcn: 6 });
      expect(r.rsc, r.dbg).toBe(2002);
      expect((r.pc as any)['m2m:rrl'].rrf).toEqual([]);
      expect((await o.send({ op: 2, to: 'cse-in/Cf/room1', fr: 'Cf' })).rsc).toBe(4004);
    } finally {
      await o.close();
    }
  });

  it('CREATE with rcn=9 returns the attributes the CSE set or changed', async () => {
    const o = await openCseOn(kind);
    try {
      await o.registerAe('Cm');
      const r = await o.send({
        op: 1,
        to: 'cse-in/Cm',
        fr: 'Cm',
        ty: 3,
        rcn: 9,
        pc: { 'm2m:cnt': { rn: 'x', mni: 5 } },
      });
      expect(r.rsc, r.dbg).toBe(2001);
      const cnt = (r.pc as any)['m2m:cnt'];
      expect(cnt.ri).toBeDefined();
      expect(cnt.ct).toBeDefined();
      expect(cnt.cni).toBe(0);
      expect(cnt.rn).toBeUndefined();
      expect(cnt.mni).toBeUndefined();
    } finally {
      await o.close();
    }
  });
});

describe.each(STORES)('%s store: TS-0004 7.3.3.17.16 labelsQuery', (kind: StoreKind) => {
  it('evaluates key, NT, EQ, key:value, NE, IN and NI; refuses malformed expressions (4000)', async () => {
    const o = await openCseOn(kind);
    try {
      await o.registerAe('Cl');
      for (const [rn, lbl] of [
        ['x1', ['color:red', 'size:big']],
        ['x2', ['color:green']],
        ['x3', ['color']],
        ['x4', ['shape:round']],
      ] as const)
        await o.make('cse-in/Cl', 'Cl', 3, 'm2m:cnt', { rn, lbl: [...lbl] });
      const q = async (lbq: string) => {
        const r = await o.send({ op: 2, to: 'cse-in/Cl', fr: 'Cl', fc: { fu: 1, lbq } });
        expect(r.rsc, r.dbg).toBe(2000);
        return uril(r).map((u) => u.replace('cse-in/Cl/', ''));
      };
      expect(await q('color')).toEqual(['x1', 'x2', 'x3']);
      expect(await q('NT color')).toEqual(['x4']);
      expect(await q('color EQ red')).toEqual(['x1']);
      expect(await q('color:red')).toEqual(['x1']);
      expect(await q('color NE red')).toEqual(['x2']);
      expect(await q('color IN (red, green)')).toEqual(['x1', 'x2']);
      expect(await q('color NI (red)')).toEqual(['x2']);
      expect(await q('size')).toEqual(['x1']);
      for (const lbq of ['color XX red', 'color IN red', 'color IN (red,)', 'a b']) {
        const r = await o.send({ op: 2, to: 'cse-in/Cl', fr: 'Cl', fc: { fu: 1, lbq } });
        expect(r.rsc, lbq).toBe(4000);
      }
    } finally {
      await o.close();
    }
  });
});
