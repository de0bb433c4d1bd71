// TS-0004 7.4.9 <schedule>: scheduleElement entries are checked, networkCoordinated only under a <node>.
import { expect } from 'vitest';
import { clause, conformance } from '../src/harness.js';

conformance('7.4.9 <schedule>', {}, (cse) => {
  clause('7.4.9.2.1', 'a <schedule> with valid entries is created; a malformed entry gets 4000', async () => {
    const ok = await cse().req('POST', '/cse-in', {
      ty: 18,
      body: { 'm2m:sch': { rn: 'avail', se: { sce: ['* * 8-20 * * 1-5 *'] } } },
    });
    expect(ok.rsc, JSON.stringify(ok.body)).toBe(2001);
    expect(ok.body['m2m:sch']).toMatchObject({ ty: 18, se: { sce: ['* * 8-20 * * 1-5 *'] } });
    const bad = await cse().req('POST', '/cse-in', { ty: 18, body: { 'm2m:sch': { se: { sce: ['* * * * * *'] } } } });
    expect(bad.rsc).toBe(4000);
  });

  clause('7.4.9.2.1', 'networkCoordinated (nco) outside the schedule of a <node> gets 4102', async () => {
    const r = await cse().req('POST', '/cse-in', {
      ty: 18,
      body: { 'm2m:sch': { se: { sce: ['* * * * * * *'] }, nco: false } },
    });
    expect(r.rsc).toBe(4102);
  });
});
