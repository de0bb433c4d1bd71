// TS-0004 7.4.21 <pollingChannel> and 7.4.22 <pollingChannelURI>: an AE without a point of access gets
// its notifications by long polling.
import { expect } from 'vitest';
import { clause, conformance, registerAe, sleep } from '../src/harness.js';

conformance('7.4.21 <pollingChannel>', {}, (cse) => {
  clause('7.4.22.2.2', 'a notification for an AE without poa is delivered by long polling pcu', async () => {
    const ae = await registerAe(cse());
    const pch = await cse().req('POST', ae.path, { from: ae.aei, ty: 15, body: { 'm2m:pch': { rn: 'pch' } } });
    expect(pch.rsc, JSON.stringify(pch.body)).toBe(2001);
    await cse().req('POST', ae.path, { from: ae.aei, ty: 3, body: { 'm2m:cnt': { rn: 'box' } } });
    const sub = await cse().req('POST', `${ae.path}/box`, {
      from: ae.aei,
      ty: 23,
      body: { 'm2m:sub': { rn: 's', nu: [ae.aei], enc: { net: [3] } } },
    });
    expect(sub.rsc, JSON.stringify(sub.body)).toBe(2001);
    const poll = cse().req('GET', `${ae.path}/pch/pcu`, { from: ae.aei, headers: { 'X-M2M-RET': '5000' } });
    await sleep(100);
    await cse().req('POST', `${ae.path}/box`, { from: ae.aei, ty: 4, body: { 'm2m:cin': { con: 'ping' } } });
    const got = await poll;
    expect(got.rsc, JSON.stringify(got.body)).toBe(2000);
    expect(got.body['m2m:rqp'].pc['m2m:sgn'].nev).toMatchObject({ net: 3, rep: { 'm2m:cin': { con: 'ping' } } });
  });

  clause('7.4.21.2.1', 'only its AE may create a <pollingChannel> under an <AE> (4103)', async () => {
    const ae = await registerAe(cse());
    const other = await registerAe(cse());
    const r = await cse().req('POST', ae.path, { from: other.aei, ty: 15, body: { 'm2m:pch': { rn: 'x' } } });
    expect(r.rsc).toBe(4103);
  });
});
