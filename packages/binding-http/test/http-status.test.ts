import { m2mDebugContent, ResponseStatusCode } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { httpStatusFor, httpStatusTable } from '../src/index.js';

describe('httpStatusFor (TS-0009 Table 6.3.2-1)', () => {
  it('maps every ResponseStatusCode to an HTTP status of its class', () => {
    for (const [name, rsc] of Object.entries(ResponseStatusCode)) {
      expect(Object.hasOwn(httpStatusTable, rsc), `${name} ${rsc} missing from the table`).toBe(true);
      const http = httpStatusFor(rsc);
      if (rsc < 3000) expect(http, name).toBeLessThan(300);
      else expect(http, name).toBeGreaterThanOrEqual(400);
    }
  });
  it('matches the rows of the table', () => {
    const rows: [number, number][] = [
      [2000, 200],
      [2001, 201],
      [2002, 200],
      [2004, 200],
      [1001, 202],
      [4000, 400],
      [4102, 400],
      [4110, 400],
      [6010, 400],
      [4101, 403],
      [4103, 403],
      [4106, 403],
      [4107, 403],
      [4108, 403],
      [4109, 403],
      [4111, 403],
      [4112, 403],
      [4113, 403],
      [4114, 403],
      [4115, 403],
      [4116, 403],
      [4117, 403],
      [4126, 403],
      [4127, 403],
      [4128, 403],
      [5105, 403],
      [5203, 403],
      [5205, 403],
      [4004, 404],
      [5103, 404],
      [5107, 404],
      [6003, 404],
      [6005, 404],
      [4005, 405],
      [5207, 406],
      [4105, 409],
      [5106, 409],
      [4015, 415],
      [5000, 500],
      [5204, 500],
      [5209, 500],
      [5210, 500],
      [5211, 500],
      [4001, 501],
      [5001, 501],
      [4008, 504],
    ];
    for (const [rsc, http] of rows) expect(httpStatusFor(rsc), String(rsc)).toBe(http);
  });
  it('fails closed to 500 for an unknown code', () => {
    expect(httpStatusFor(4999)).toBe(500);
    expect(httpStatusFor(2999)).toBe(500);
    expect(httpStatusFor(Number.NaN)).toBe(500);
  });
  it('cannot be modified by a caller', () => {
    expect(Object.isFrozen(httpStatusTable)).toBe(true);
  });
});

describe('m2mDebugContent', () => {
  it('wraps the message as m2m:dbg', () => {
    expect(m2mDebugContent('no such resource')).toEqual({ 'm2m:dbg': 'no such resource' });
  });
});
