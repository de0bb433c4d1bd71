// TS-0004 7.4.10 <locationPolicy>: device based positioning is served; network and sharing based sources
// are refused with 5001.
import { expect } from 'vitest';
import { clause, conformance } from '../src/harness.js';

conformance('7.4.10 <locationPolicy>', {}, (cse) => {
  clause(
    '7.4.10.2.1',
    'network based (los 1) and sharing based (los 3) sources get 5001; los 4 gets 4000',
    async () => {
      // The operator (CAdmin) creates them: an AE needs a policy granting CREATE on the <CSEBase>.
      const mk = (attrs: Record<string, unknown>) =>
        cse().req('POST', '/cse-in', { ty: 10, body: { 'm2m:lcp': attrs } });
      expect((await mk({ los: 1, lou: ['PT1S'], lot: 'urn:x', lor: 'http://127.0.0.1/mlp' })).rsc).toBe(5001);
      expect((await mk({ los: 3 })).rsc).toBe(5001);
      expect((await mk({ los: 4 })).rsc).toBe(4000);
    },
  );

  clause(
    '7.4.10.2.1',
    'a device based policy gets its location container (loi), which its AE cannot write',
    async () => {
      const r = await cse().req('POST', '/cse-in', {
        ty: 10,
        body: { 'm2m:lcp': { rn: 'lp', los: 2, lou: ['PT1H'] } },
      });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
      const loi = r.body['m2m:lcp'].loi as string;
      expect(typeof loi).toBe('string');
      const cnt = await cse().req('GET', `/~/id-in/${loi.replace(/^\/id-in\//, '')}`);
      expect(cnt.rsc, JSON.stringify(cnt.body)).toBe(2000);
      expect(cnt.body['m2m:cnt'].ty).toBe(3);
    },
  );
});
