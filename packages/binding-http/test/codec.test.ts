// Pure mapping: decodeHttpRequest(encodeHttpRequest(p)) gives p back for arbitrary primitives
// (TS-0009 6.1: the receiver derives a replica of the originator's primitive).
import { Operation, type RequestPrimitive } from '@m2msec/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHttpRequest, encodeHttpRequest, pathForTo, toFromPath } from '../src/index.js';

const segment = fc.stringMatching(/^[A-Za-z0-9\-._~]{1,12}$/).filter((s) => s !== '~' && s !== '_');
const relative = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
const to = fc.oneof(
  relative,
  fc.tuple(segment, relative).map(([csi, p]) => `/${csi}/${p}`),
  fc.tuple(segment, segment, relative).map(([sp, csi, p]) => `//${sp}/${csi}/${p}`),
);
const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s);
const headerText = fc.stringMatching(/^[!-~]([ -~]{0,18}[!-~])?$/);
const timestamp = fc.stringMatching(/^20\d{2}[01]\d[0-3]\dT[0-2]\d[0-5]\d[0-5]\d$/);
const int = fc.integer({ min: 0, max: 1_000_000 });
const token = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), { minLength: 3, maxLength: 3 })
  .map((p) => p.join('.'));

const primitive: fc.Arbitrary<RequestPrimitive> = fc
  .record(
    {
      op: fc.constantFrom(Operation.CREATE, Operation.RETRIEVE, Operation.UPDATE, Operation.DELETE, Operation.NOTIFY),
      to,
      rqi: headerText,
      fr: headerText,
      rvi: fc.constantFrom('2a', '3', '4', '5'),
      pc: fc.dictionary(text, fc.jsonValue(), { maxKeys: 3 }),
      rcn: fc.integer({ min: 0, max: 9 }),
      rt: fc.record({ rtv: fc.integer({ min: 1, max: 3 }) }),
      rqet: timestamp,
      ot: timestamp,
      drt: fc.integer({ min: 1, max: 2 }),
      rids: fc.array(text, { minLength: 1, maxLength: 3 }),
      tids: fc.array(text, { minLength: 1, maxLength: 3 }),
      tkns: fc.array(token, { minLength: 1, maxLength: 3 }),
      tqi: fc.boolean(),
      fc: fc.record(
        {
          lbl: fc.array(text, { minLength: 1, maxLength: 3 }),
          ty: fc.array(int, { minLength: 1, maxLength: 3 }),
          cra: timestamp,
          lim: int,
          fu: fc.integer({ min: 1, max: 3 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['op', 'to', 'rqi'] },
  )
  .chain((p) =>
    p.op === Operation.CREATE
      ? int.map((ty) => ({ ...p, ty }) as RequestPrimitive)
      : fc.constant(p as RequestPrimitive),
  )
  .map((p) => {
    // An empty filterCriteria is not sent (nothing to send); pc JSON drops -0 and undefined like the wire does.
    const q = { ...p } as RequestPrimitive;
    if (q.fc !== undefined && Object.keys(q.fc).length === 0) delete q.fc;
    if (q.pc !== undefined) q.pc = JSON.parse(JSON.stringify(q.pc));
    return q;
  });

describe('HTTP <-> primitive codec', () => {
  it('round-trips arbitrary request primitives', () => {
    fc.assert(
      fc.property(primitive, (p) => {
        const http = encodeHttpRequest(p);
        const headers: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(http.headers)) headers[k.toLowerCase()] = [v];
        const back = decodeHttpRequest({
          method: http.method,
          url: http.target,
          headers,
          body: http.body === undefined ? undefined : Buffer.from(http.body),
        });
        expect(back).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });

  it('request-target path forms round-trip (6.2.2.1)', () => {
    fc.assert(fc.property(to, (t) => toFromPath(pathForTo(t)) === t));
  });
});
