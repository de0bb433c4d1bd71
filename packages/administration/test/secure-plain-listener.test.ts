// The secure profile's plain listener: RETRIEVE of the <CSEBase> (any of its addresses) gets the
// public facts only; every other request — registration, other targets, discovery of children —
// is 4107 and never reaches the CSE.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, securePlainListener } from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };
const h = securePlainListener({
  idContext,
  cseBase: { rn: 'cse-in', cst: 1, srv: ['3'], poa: ['https://127.0.0.1:8443'] },
});
const rq = (op: number, to: string, extra: Record<string, unknown> = {}) =>
  h({ op, to, fr: 'CAdmin', rqi: 'r', rvi: '3', ...extra } as never, { binding: 'http', peerAddress: '127.0.0.1' });

describe('securePlainListener', () => {
  it('answers RETRIEVE of the CSEBase by any of its addresses with its public facts only', async () => {
    for (const to of ['cse-in', '-', 'id-in', '/id-in', '/id-in/cse-in', '//m2msec.org/id-in/cse-in']) {
      const r = await rq(2, to, { fc: { fu: 1, ty: [2] }, rcn: 4 });
      expect(r.rsc, to).toBe(2000);
      expect(r.pc).toEqual({
        'm2m:cb': {
          rn: 'cse-in',
          ri: 'id-in',
          ty: 5,
          csi: '/id-in',
          cst: 1,
          srv: ['3'],
          poa: ['https://127.0.0.1:8443'],
        },
      });
    }
  });

  it('refuses everything else with 4107', async () => {
    for (const [op, to] of [
      [2, 'cse-in/Cae1'],
      [2, '/id-mn/cse-mn'],
      [1, 'cse-in'],
      [3, 'cse-in'],
      [4, 'cse-in'],
      [2, ''],
    ] as const) {
      const r = await rq(op, to, op === 1 ? { ty: 2, pc: { 'm2m:ae': { api: 'Nx' } } } : {});
      expect(r.rsc, `${op} ${to}`).toBe(4107);
      expect(r.pc).toBeUndefined();
    }
  });
});

describe('isLoopbackHost', () => {
  it('accepts only addresses this machine alone reaches', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.example.com', '::ffff:10.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});
