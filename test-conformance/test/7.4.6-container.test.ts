// TS-0004 7.4.6 <container> and 7.4.7 <contentInstance>: disableRetrieval (TS-0001 9.6.6), quotas on
// UPDATE, contentInfo (TS-0004 Table 6.3.3-1).
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.4.6 <container>, 7.4.7 <contentInstance>', {}, (cse) => {
  const setup = async (cnt: Record<string, unknown> = {}) => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'c', ...cnt } } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    return { ae, cnt: `${ae.path}/c` };
  };
  const addCin = async (path: string, from: string, con: string, rn?: string) => {
    const r = await cse().req('POST', path, { from, ty: 4, body: { 'm2m:cin': { con, ...(rn ? { rn } : {}) } } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    return r;
  };

  clause('7.4.7.2.2', 'disableRetrieval: RETRIEVE of a <contentInstance>, la and ol gives 4005', async () => {
    const { ae, cnt } = await setup({ disr: true });
    await addCin(cnt, ae.aei, 'secret', 'i1');
    for (const p of [`${cnt}/i1`, `${cnt}/la`, `${cnt}/ol`]) {
      const r = await cse().req('GET', p, { from: ae.aei });
      expect(r.rsc, p).toBe(4005);
    }
  });

  clause(
    '7.4.7.2.2',
    'disableRetrieval is checked after access control: an originator without privileges gets 4103',
    async () => {
      const { ae, cnt } = await setup({ disr: true });
      await addCin(cnt, ae.aei, 'secret', 'i1');
      const other = await registerAe(cse());
      expect((await cse().req('GET', `${cnt}/i1`, { from: other.aei })).rsc).toBe(4103);
      expect((await cse().req('GET', `${cnt}/la`, { from: other.aei })).rsc).toBe(4103);
    },
  );

  clause('7.4.7.2.4', 'disableRetrieval: DELETE of a <contentInstance>, la and ol gives 4005', async () => {
    const { ae, cnt } = await setup({ disr: true });
    await addCin(cnt, ae.aei, 'secret', 'i1');
    for (const p of [`${cnt}/i1`, `${cnt}/la`, `${cnt}/ol`]) {
      const r = await cse().req('DELETE', p, { from: ae.aei });
      expect(r.rsc, p).toBe(4005);
    }
    expect((await cse().req('GET', cnt, { from: ae.aei })).body['m2m:cnt'].cni).toBe(1);
  });

  clause('7.4.7.2.2', 'disableRetrieval: discovery and child-resource results leave the instances out', async () => {
    const { ae, cnt } = await setup({ disr: true });
    await addCin(cnt, ae.aei, 'secret', 'i1');
    const disc = await cse().req('GET', `${ae.path}?fu=1&ty=4`, { from: ae.aei });
    expect(disc.rsc).toBe(2000);
    expect(disc.body['m2m:uril']).toEqual([]);
    const direct = await cse().req('GET', `${cnt}/i1?fu=1`, { from: ae.aei });
    expect(direct.rsc).toBe(4005);
    const rcn4 = await cse().req('GET', `${cnt}?rcn=4`, { from: ae.aei });
    expect(rcn4.rsc).toBe(2000);
    expect(rcn4.body['m2m:cnt']['m2m:cin']).toBeUndefined();
  });

  clause('7.4.6.2.3', 'disableRetrieval TRUE -> FALSE deletes every existing instance', async () => {
    const { ae, cnt } = await setup({ disr: true });
    await addCin(cnt, ae.aei, 'a', 'i1');
    await addCin(cnt, ae.aei, 'b', 'i2');
    const u = await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { disr: false } } });
    expect(u.rsc).toBe(2004);
    expect(u.body['m2m:cnt']).toMatchObject({ cni: 0, cbs: 0, disr: false });
    expect((await cse().req('GET', `${cnt}/i1`, { from: ae.aei })).rsc).toBe(4004);
    expect((await cse().req('GET', `${cnt}/la`, { from: ae.aei })).rsc).toBe(4004);
    await addCin(cnt, ae.aei, 'c', 'i3');
    expect((await cse().req('GET', `${cnt}/la`, { from: ae.aei })).body['m2m:cin'].con).toBe('c');
  });

  clause('7.4.6.2.3', 'lowering maxNrOfInstances by UPDATE removes the oldest instances at once', async () => {
    const { ae, cnt } = await setup();
    for (const v of ['1', '2', '3', '4']) await addCin(cnt, ae.aei, v);
    const u = await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { mni: 2 } } });
    expect(u.rsc).toBe(2004);
    expect(u.body['m2m:cnt']).toMatchObject({ mni: 2, cni: 2, cbs: 2 });
    expect((await cse().req('GET', `${cnt}/ol`, { from: ae.aei })).body['m2m:cin'].con).toBe('3');
  });

  clause('7.4.6.2.3', 'lowering maxByteSize by UPDATE removes the oldest instances until it fits', async () => {
    const { ae, cnt } = await setup();
    for (const v of ['aaaa', 'bbbb', 'cccc']) await addCin(cnt, ae.aei, v);
    const u = await cse().req('PUT', cnt, { from: ae.aei, body: { 'm2m:cnt': { mbs: 5 } } });
    expect(u.rsc).toBe(2004);
    expect(u.body['m2m:cnt']).toMatchObject({ cni: 1, cbs: 4 });
    expect((await cse().req('GET', `${cnt}/ol`, { from: ae.aei })).body['m2m:cin'].con).toBe('cccc');
  });

  clause(
    '7.4.7.2.1',
    "contentInfo must be 'type/subtype:encodingType[:contentSecurity]' (4000 otherwise)",
    async () => {
      const { ae, cnt } = await setup();
      for (const cnf of ['text/plain:0', 'application/json:1', 'application/jose:0:1']) {
        const r = await cse().req('POST', cnt, { from: ae.aei, ty: 4, body: { 'm2m:cin': { con: 'x', cnf } } });
        expect(r.rsc, cnf).toBe(2001);
      }
      for (const cnf of ['text/plain', 'text:0', 'text/plain:7', 'text/plain:0:9', 'text/plain:0:1:1', '']) {
        const r = await cse().req('POST', cnt, { from: ae.aei, ty: 4, body: { 'm2m:cin': { con: 'x', cnf } } });
        expect(r.rsc, cnf).toBe(4000);
      }
    },
  );
});
