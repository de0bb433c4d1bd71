// TS-0004 7.4.3 <CSEBase> and 7.3.2.1: supportedReleaseVersions lists only what the CSE implements.
import { expect } from 'vitest';
import { clause, conformance } from '../src/harness.js';

conformance('7.4.3 <CSEBase>, release versions', {}, (cse) => {
  clause('7.4.3', 'supportedReleaseVersions (srv) is Release 2a and 3, not 4', async () => {
    const r = await cse().req('GET', '/cse-in');
    expect(r.rsc).toBe(2000);
    expect(r.body['m2m:cb'].srv).toEqual(['2a', '3']);
  });

  clause('7.3.2.1', 'a request in a release the CSE does not support (rvi 4) gets 4001', async () => {
    const r = await cse().req('GET', '/cse-in', { headers: { 'X-M2M-RVI': '4' } });
    expect(r.rsc).toBe(4001);
    const ok = await cse().req('GET', '/cse-in', { headers: { 'X-M2M-RVI': '2a' } });
    expect(ok.rsc).toBe(2000);
  });
});
