// TS-0004 7.3.3.3 (check validity of resource representation for CREATE): the resource type itself.
// A Release 3 type the CSE does not implement is NOT_IMPLEMENTED; a value that is no Release 3 type is a
// bad request; <request> is created only by the CSE (7.4.12.2.1).
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.3.3.3 CREATE: resource type', {}, (cse) => {
  clause(
    '7.3.3.3',
    'a Release 3 resource type the CSE does not implement (semanticDescriptor, 24) gets 5001',
    async () => {
      const ae = await registerAe(cse());
      const r = await cse().req('POST', ae.path, {
        from: ae.aei,
        ty: 24,
        body: { 'm2m:smd': { dcrp: 'PHJkZi8+', dspt: 1 } },
      });
      expect(r.rsc, JSON.stringify(r.body)).toBe(5001);
    },
  );

  clause('7.3.3.3', 'ty 58 (<flexContainerInstance>, Release 4) is not a Release 3 resource type: 4000', async () => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', ae.path, { from: ae.aei, ty: 58, body: { 'm2m:fci': {} } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(4000);
  });

  clause('7.4.12.2.1', 'CREATE of a <request> resource gets 4005: only the CSE creates it', async () => {
    const ae = await registerAe(cse());
    const r = await cse().req('POST', '/cse-in', { from: ae.aei, ty: 17, body: { 'm2m:req': {} } });
    expect(r.rsc, JSON.stringify(r.body)).toBe(4005);
  });
});
