// The ESPrim Object is Content of an outer NOTIFY (TS-0004 7.6.2): it crosses the HTTP (TS-0009) and MQTT
// (TS-0010) bindings unchanged. Each test encodes the outer primitives with the binding's own encoder, decodes
// them with its decoder, and unprotects what came out.
import { decodeHttpRequest, decodeHttpResponse, encodeHttpRequest, encodeHttpResponse } from '@m2msec/binding-http';
import {
  decodeRequestPayload,
  decodeResponsePayload,
  encodeRequestPayload,
  encodeResponsePayload,
} from '@m2msec/binding-mqtt';
import type { RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { securityInfoContent, securityInfoOf } from '../src/index.js';
import { AE, pair } from './helpers.js';

const inner = {
  op: 1 as const,
  to: '/id-in/cse-in/data',
  fr: AE,
  rqi: 'in-1',
  rvi: '3',
  ty: 4,
  pc: { 'm2m:cin': { con: 'ü-21.5°C' } },
};
const outer = (epo: string): RequestPrimitive => ({
  op: 5,
  to: '/id-in/cse-in',
  fr: 'Cae1',
  rqi: 'out-1',
  rvi: '3',
  pc: securityInfoContent({ sit: 5, epo }) as Record<string, unknown>,
});

function overHttp(req: RequestPrimitive): RequestPrimitive {
  const e = encodeHttpRequest(req);
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(e.headers)) headers[k.toLowerCase()] = [v];
  return decodeHttpRequest({
    method: e.method,
    url: e.target,
    headers,
    ...(e.body ? { body: Buffer.from(e.body) } : {}),
  });
}

function httpResponse(rsp: ResponsePrimitive): ResponsePrimitive {
  const m = encodeHttpResponse(rsp);
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(m.headers)) headers[k.toLowerCase()] = [v];
  return decodeHttpResponse({ headers, ...(m.body ? { body: Buffer.from(m.body) } : {}) }, rsp.rqi);
}

describe.each([
  ['HTTP (TS-0009)', overHttp, httpResponse],
  [
    'MQTT (TS-0010)',
    (r: RequestPrimitive) => decodeRequestPayload(Buffer.from(encodeRequestPayload(r))),
    (r: ResponsePrimitive) => decodeResponsePayload(Buffer.from(encodeResponsePayload(r))),
  ],
] as const)('ESPrim over %s', (_name, carryRequest, carryResponse) => {
  it('the outer NOTIFY and its response carry the ESPrim Objects byte for byte', async () => {
    const { receiver, originator } = pair();
    const epo = originator.protectRequest(inner);
    const arrived = carryRequest(outer(epo));
    expect(arrived.op).toBe(5);
    expect(securityInfoOf(arrived.pc)).toEqual({ sit: 5, epo });
    const { inner: got, session } = await receiver.unprotectRequest(securityInfoOf(arrived.pc)!.epo);
    expect(got).toEqual(inner);
    const rspEpo = receiver.protectResponse(session, {
      rsc: 2001,
      rqi: 'in-1',
      pc: { 'm2m:cin': { con: 'ü-21.5°C' } },
    });
    const back = carryResponse({ rsc: 2000, rqi: 'out-1', pc: securityInfoContent({ sit: 5, epo: rspEpo }) });
    expect(securityInfoOf(back.pc)?.epo).toBe(rspEpo);
    expect(originator.unprotectResponse(securityInfoOf(back.pc)!.epo)).toMatchObject({ rsc: 2001, rqi: 'in-1' });
  });
});
