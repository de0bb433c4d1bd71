import { formatTimestamp } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkRequestExpiry,
  decodeRequestPayload,
  decodeResponsePayload,
  encodeRequestPayload,
  encodeResponsePayload,
} from '../src/index.js';

const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('request payloads (TS-0004 8.4)', () => {
  it('decodes a JSON request primitive and round-trips it', () => {
    const req = { op: 1, to: 'cse-in', fr: 'Cae1', rqi: 'r1', rvi: '3', ty: 4, pc: { 'm2m:cin': { con: 'x' } } };
    expect(decodeRequestPayload(enc(req))).toEqual(req);
    expect(decodeRequestPayload(enc(encodeRequestPayload(req as never)))).toEqual(req);
  });

  it('unwraps {"m2m:rqp": ...} from peers that wrap it', () => {
    expect(decodeRequestPayload(enc({ 'm2m:rqp': { op: 2, to: 'cse-in', rqi: 'a' } }))).toEqual({
      op: 2,
      to: 'cse-in',
      rqi: 'a',
    });
  });

  it.each([
    ['not json', '{"op":', /not valid JSON/, undefined],
    ['not utf-8', Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/, undefined],
    ['an array', [1, 2], /not a JSON object/, undefined],
    ['null', 'null', /not a JSON object/, undefined],
    ['no op', { to: 'x', rqi: 'r9' }, /has no 'op'/, 'r9'],
    ['no rqi', { op: 2, to: 'x' }, /has no 'rqi'/, undefined],
    ['empty rqi', { op: 2, to: 'x', rqi: '' }, /'rqi' is empty/, undefined],
    ['op a string', { op: '2', to: 'x', rqi: 'r2' }, /'op' must be an integer/, 'r2'],
    ['to a number', { op: 2, to: 5, rqi: 'r3' }, /'to' must be a string/, 'r3'],
    ['pc an array', { op: 1, to: 'x', rqi: 'r4', ty: 3, pc: [] }, /'pc' must be an object/, 'r4'],
    ['rqet a boolean', { op: 2, to: 'x', rqi: 'r5', rqet: true }, /'rqet' must be an m2m:absRelTimestamp/, 'r5'],
    ['rqi a number', { op: 2, to: 'x', rqi: 7 }, /'rqi' must be a string/, undefined],
  ])('%s -> 4000 with a message (rqi kept when usable)', (_, payload, message, rqi) => {
    try {
      decodeRequestPayload(Buffer.isBuffer(payload) ? payload : enc(payload));
      expect.unreachable();
    } catch (e) {
      expect((e as { rsc: number }).rsc).toBe(4000);
      expect((e as Error).message).toMatch(message);
      expect((e as { rqi?: string }).rqi).toBe(rqi);
    }
  });
});

describe('response payloads', () => {
  it('errors carry their debug text as m2m:dbg and come back as dbg', () => {
    const text = encodeResponsePayload({ rsc: 4106, rqi: 'r1', dbg: 'not bound', location: 'x' } as never);
    expect(JSON.parse(text)).toEqual({ rsc: 4106, rqi: 'r1', pc: { 'm2m:dbg': 'not bound' } });
    expect(decodeResponsePayload(Buffer.from(text))).toEqual({ rsc: 4106, rqi: 'r1', dbg: 'not bound' });
  });

  it('carries Content Status and Content Offset of a partial answer (TS-0004 Table 7.2.1.2-1)', () => {
    const rsp = { rsc: 2000, rqi: 'r3', rvi: '3', pc: { 'm2m:uril': ['a'] }, cnst: 1, cnot: 2 };
    expect(decodeResponsePayload(Buffer.from(encodeResponsePayload(rsp as never)))).toEqual(rsp);
  });

  it('success content stays content', () => {
    const rsp = { rsc: 2000, rqi: 'r2', rvi: '3', pc: { 'm2m:cb': { ri: 'id-in' } } };
    expect(decodeResponsePayload(Buffer.from(encodeResponsePayload(rsp as never)))).toEqual(rsp);
  });

  it.each([
    ['{', /not valid UTF-8 JSON/],
    ['[]', /not an object/],
    ['{"rqi":"a"}', /not a status code/],
    ['{"rsc":2000}', /no rqi/],
  ])('a broken response %s -> 5000', (payload, message) => {
    expect(() => decodeResponsePayload(Buffer.from(payload))).toThrow(message);
  });
});

describe('request expiry (TS-0010 6.4.3, TS-0004 7.3.2.1)', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  it('a past absolute rqet -> 4008, a future one passes', () => {
    expect(() => checkRequestExpiry(formatTimestamp(new Date(now.getTime() - 1000)), now)).toThrow(/expired/);
    expect(() => checkRequestExpiry(formatTimestamp(new Date(now.getTime() + 60_000)), now)).not.toThrow();
    try {
      checkRequestExpiry('20000101T000000', now);
    } catch (e) {
      expect((e as { rsc: number }).rsc).toBe(4008);
    }
  });
  it('relative rqet counts from reception: only <= 0 has expired', () => {
    expect(() => checkRequestExpiry(5000, now)).not.toThrow();
    expect(() => checkRequestExpiry('-1', now)).toThrow(/expired/);
    expect(() => checkRequestExpiry(undefined, now)).not.toThrow();
  });
  it('a malformed rqet -> 4000', () => {
    expect(() => checkRequestExpiry('tomorrow', now)).toThrow(/rqet/);
  });
});
