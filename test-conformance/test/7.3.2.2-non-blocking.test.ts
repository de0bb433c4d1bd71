// TS-0004 7.3.2.2 (create <request> resource locally) and 7.4.12 <request>: a non-blocking synchronous
// request (rt=1) is acknowledged with 1001 and a <request> reference; its result is retrieved from there.
import { expect } from 'vitest';
import { clause, conformance, registerAe, sleep } from '../src/harness.js';

conformance('7.3.2.2 non-blocking requests', {}, (cse) => {
  const poll = async (ri: string, from: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await cse().req('GET', `/~/id-in/${ri.replace(/^\/id-in\//, '')}`, { from });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
      const req = r.body['m2m:req'];
      if (req.rs !== 3) return req; // 3 PENDING
      if (Date.now() > deadline) throw new Error('the <request> stayed PENDING');
      await sleep(50);
    }
  };

  clause('7.3.2.2', 'rt=1: 1001 with a <request> reference; the <request> holds the outcome', async () => {
    const ae = await registerAe(cse());
    const ack = await cse().req('POST', `${ae.path}?rt=1`, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'nb' } } });
    expect(ack.rsc, JSON.stringify(ack.body)).toBe(1001);
    const ri = ack.body['m2m:uri'] as string;
    const req = await poll(ri, ae.aei);
    expect(req.ty).toBe(17);
    expect(req.rs).toBe(1); // COMPLETED
    expect(req.ors.rsc).toBe(2001);
    expect((await cse().req('GET', `${ae.path}/nb`, { from: ae.aei })).rsc).toBe(2000);
  });

  clause('7.4.12.2.2', 'only the originator of the non-blocking request may retrieve its <request>', async () => {
    const ae = await registerAe(cse());
    const other = await registerAe(cse());
    const ack = await cse().req('GET', `${ae.path}?rt=1`, { from: ae.aei });
    expect(ack.rsc).toBe(1001);
    const ri = ack.body['m2m:uri'] as string;
    await poll(ri, ae.aei);
    const r = await cse().req('GET', `/~/id-in/${ri.replace(/^\/id-in\//, '')}`, { from: other.aei });
    expect(r.rsc).toBe(4103);
  });
});
