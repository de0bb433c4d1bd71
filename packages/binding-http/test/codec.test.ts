// Pure mapping: decodeHttpRequest(encodeHttpRequest(p)) gives p back for arbitrary primitives
// (TS-0009 6.1: the receiver derives a replica of the originator's primitive).
import { Operation, type RequestPrimitive, validateRequest } from '@m2msec/protocol';
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
      rt: fc.record(
        {
          rtv: fc.integer({ min: 1, max: 3 }),
          nu: fc.array(
            fc.webUrl().filter((u) => !u.includes('&')),
            { minLength: 1, maxLength: 2 },
          ),
        },
        { requiredKeys: ['rtv'] },
      ),
      rqet: timestamp,
      ot: timestamp,
      drt: fc.integer({ min: 1, max: 2 }),
      rids: fc.array(text, { minLength: 1, maxLength: 3 }),
      tids: fc.array(text, { minLength: 1, maxLength: 3 }),
      tkns: fc.array(token, { minLength: 1, maxLength: 3 }),
      tqi: fc.boolean(),
      rset: timestamp,
      oet: timestamp,
      rp: fc.constantFrom('PT1H', 'P1Y2M3DT10H1M0S', '20301231T000000'),
      gid: headerText,
      ec: fc.integer({ min: 2, max: 999 }),
      vsi: headerText,
      aus: fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{4,20}={0,2}$/), { minLength: 1, maxLength: 3 }),
      ltids: fc.array(text, { minLength: 1, maxLength: 3 }),
      da: fc.boolean(),
      asi: fc.boolean(),
      auri: fc.boolean(),
      sqi: fc.boolean(),
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

  it('refuses list items that the joined header could not carry', () => {
    const base = { op: Operation.RETRIEVE, to: 'cse-in', rqi: 'r' } as RequestPrimitive;
    expect(() => encodeHttpRequest({ ...base, rt: { rtv: 2, nu: ['http://a/?x=1&y=2'] } })).toThrow(
      "X-M2M-RTU cannot carry a notificationURI: an empty item or one containing '&'",
    );
    expect(() => encodeHttpRequest({ ...base, tkns: ['a.b.c+d'] })).toThrow(/^Authorization cannot carry a token/);
  });

  it('request-target path forms round-trip (6.2.2.1)', () => {
    fc.assert(fc.property(to, (t) => toFromPath(pathForTo(t)) === t));
  });
});

describe('what the binding builds is what @m2msec/protocol validates', () => {
  // TR-0051 API/CONT/CRE/001 and a discovery, as decoded by the binding.
  it.each([
    {
      method: 'POST',
      url: '/mn-name/ae_sensor?rcn=1',
      headers: {
        'x-m2m-origin': ['CAE01'],
        'content-type': ['application/json;ty=3'],
        'x-m2m-ri': ['1234'],
        'x-m2m-rvi': ['2a'],
      },
      body: Buffer.from('{"m2m:cnt":{"rn":"cont_temp"}}'),
    },
    {
      method: 'GET',
      url: '/~/id-in/cse-in?fu=1&ty=3+4&lbl=indoor_temp&lim=10&rcn=6',
      headers: { 'x-m2m-origin': ['CAdmin'], 'x-m2m-ri': ['d-1'], 'x-m2m-rvi': ['3'] },
    },
  ])('$method $url', (msg) => {
    const p = decodeHttpRequest(msg);
    expect(validateRequest(p)).toEqual(p);
  });
});
