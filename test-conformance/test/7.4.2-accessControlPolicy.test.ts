// TS-0004 7.4.2 <accessControlPolicy>: privileges may hold no rule (accessControlRules 0..n).
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.4.2 <accessControlPolicy>', {}, (cse) => {
  const pvs = (aei: string) => ({ acr: [{ acor: [aei], acop: 63 }] });

  clause('7.4.2.2.1', 'privileges (pv) may be an empty set: {} and {acr: []} are accepted', async () => {
    const ae = await registerAe(cse());
    for (const [rn, pv] of [
      ['p0', {}],
      ['p1', { acr: [] }],
    ] as const) {
      const r = await cse().req('POST', ae.path, {
        from: ae.aei,
        ty: 1,
        body: { 'm2m:acp': { rn, pv, pvs: pvs(ae.aei) } },
      });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    }
    const u = await cse().req('PUT', `${ae.path}/p0`, { from: ae.aei, body: { 'm2m:acp': { pv: { acr: [] } } } });
    expect(u.rsc).toBe(2004);
  });

  clause('7.4.2.2.1', 'an empty privileges set grants nothing to another originator', async () => {
    const ae = await registerAe(cse());
    const other = await registerAe(cse());
    const acp = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 1,
      body: { 'm2m:acp': { rn: 'empty', pv: {}, pvs: pvs(ae.aei) } },
    });
    expect(acp.rsc).toBe(2001);
    const cnt = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 3,
      body: { 'm2m:cnt': { rn: 'c', acpi: [acp.body['m2m:acp'].ri] } },
    });
    expect(cnt.rsc).toBe(2001);
    expect((await cse().req('GET', `${ae.path}/c`, { from: other.aei })).rsc).toBe(4103);
  });
});
