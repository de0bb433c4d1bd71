// TS-0008 Table 6.2.4-1 maps 2000 for NOTIFY to 2.04; the Content of such a response is carried: the answer
// to an ESPrim / ESCertKE outer NOTIFY is an m2m:seci (TS-0004 7.6.2), which an empty payload would lose.
import { Operation } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { encodeCoapResponse } from '../src/index.js';

describe('CoAP response to a NOTIFY', () => {
  it('2000 with Content: 2.04 and the Content as JSON payload', () => {
    const pc = { 'm2m:seci': { sit: 5, epo: 'eyJ.x.y.z.w' } };
    const r = encodeCoapResponse({ rsc: 2000, rqi: 'n1', pc }, Operation.NOTIFY);
    expect(r.code).toBe((2 << 5) | 4);
    expect(JSON.parse(r.payload.toString('utf8'))).toEqual(pc);
  });

  it('2000 without Content: 2.04 and an empty payload', () => {
    const r = encodeCoapResponse({ rsc: 2000, rqi: 'n2' }, Operation.NOTIFY);
    expect(r.code).toBe((2 << 5) | 4);
    expect(r.payload.length).toBe(0);
  });
});
