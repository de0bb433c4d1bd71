// TS-0004 7.4.38 <timeSeries> and 7.4.39 <timeSeriesInstance>.
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.4.38 <timeSeries>, 7.4.39 <timeSeriesInstance>', {}, (cse) => {
  clause('7.4.39.2.1', 'a second instance with the same dataGenerationTime gets 4105', async () => {
    const ae = await registerAe(cse());
    expect((await cse().req('POST', ae.path, { from: ae.aei, ty: 29, body: { 'm2m:ts': { rn: 'ts' } } })).rsc).toBe(
      2001,
    );
    const tsi = () =>
      cse().req('POST', `${ae.path}/ts`, {
        from: ae.aei,
        ty: 30,
        body: { 'm2m:tsi': { dgt: '20250101T120000', con: '1' } },
      });
    expect((await tsi()).rsc).toBe(2001);
    expect((await tsi()).rsc).toBe(4105);
  });

  clause('7.4.38.2.3', 'lowering mni removes the oldest instances; la and ol address newest and oldest', async () => {
    const ae = await registerAe(cse());
    await cse().req('POST', ae.path, { from: ae.aei, ty: 29, body: { 'm2m:ts': { rn: 'ts' } } });
    for (const [i, dgt] of ['20250101T120000', '20250101T120100', '20250101T120200'].entries()) {
      const r = await cse().req('POST', `${ae.path}/ts`, {
        from: ae.aei,
        ty: 30,
        body: { 'm2m:tsi': { dgt, con: String(i) } },
      });
      expect(r.rsc).toBe(2001);
    }
    expect((await cse().req('PUT', `${ae.path}/ts`, { from: ae.aei, body: { 'm2m:ts': { mni: 2 } } })).rsc).toBe(2004);
    const ts = (await cse().req('GET', `${ae.path}/ts`, { from: ae.aei })).body['m2m:ts'];
    expect(ts.cni).toBe(2);
    expect((await cse().req('GET', `${ae.path}/ts/ol`, { from: ae.aei })).body['m2m:tsi'].con).toBe('1');
    expect((await cse().req('GET', `${ae.path}/ts/la`, { from: ae.aei })).body['m2m:tsi'].con).toBe('2');
  });

  clause(
    '7.4.38.2.1',
    'missingDataDetect needs missingDataDetectTimer above the periodic interval delta (4000)',
    async () => {
      const ae = await registerAe(cse());
      const r = await cse().req('POST', ae.path, {
        from: ae.aei,
        ty: 29,
        body: { 'm2m:ts': { rn: 'bad', pei: 10_000, peid: 1_000, mdd: true, mdt: 500 } },
      });
      expect(r.rsc, JSON.stringify(r.body)).toBe(4000);
    },
  );
});
