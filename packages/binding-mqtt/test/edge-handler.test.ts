// edgeRouteHandler: a role's EdgeRoutes as a RequestHandler for the MQTT binding. The transport contexts
// are the ones the binding builds from real topics (mqttTransportContext); the routes are plain functions.
import {
  type EdgeRequest,
  type EdgeRoute,
  M2msecError,
  type RequestPrimitive,
  type TransportContext,
} from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { edgeRouteHandler, mqttTransportContext, parseTopic } from '../src/index.js';

const ids = { cseId: '/id-maf', spId: 'm2msec.org' };
const seen: EdgeRequest[] = [];
const routes: EdgeRoute[] = [
  {
    method: 'POST',
    path: '/maf/symmKeyReg',
    maxBodyBytes: 64,
    async handle(r) {
      seen.push(r);
      return { rsc: 2001, body: JSON.stringify({ got: JSON.parse(Buffer.from(r.body).toString()) }) };
    },
  },
  {
    method: 'GET',
    path: '/maf/symmKeyReg/:rid',
    async handle(r) {
      if (r.params.rid === 'gone') throw new M2msecError('NOT_FOUND', 4004, `no key registration '${r.params.rid}'`);
      return { rsc: 2000, body: JSON.stringify({ rid: r.params.rid, who: r.transport.association?.boundIds }) };
    },
  },
  { method: 'DELETE', path: '/maf/symmKeyReg/:rid', handle: async () => ({ status: 204 }) },
];
const handle = edgeRouteHandler(routes, { ids });
const over = (topic: string): TransportContext => mqttTransportContext(parseTopic(topic), ids);
const asMn = over('/oneM2M/req/id-mn/id-maf/json');
const rq = (p: Partial<RequestPrimitive>): RequestPrimitive =>
  ({ op: 2, to: '/maf/symmKeyReg/r1', fr: '/id-mn', rqi: 'q1', rvi: '3', ...p }) as RequestPrimitive;

describe('edgeRouteHandler', () => {
  it('maps op, To and pc onto the route and its rsc and body onto the response', async () => {
    const created = await handle(rq({ op: 1, to: 'maf/symmKeyReg', pc: { a: 1 } as never }), asMn);
    expect(created).toEqual({ rsc: 2001, rqi: 'q1', rvi: '3', pc: { got: { a: 1 } } });
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/maf/symmKeyReg', headers: { 'x-m2m-ri': 'q1' } });
    const got = await handle(rq({}), asMn);
    expect(got).toMatchObject({ rsc: 2000, pc: { rid: 'r1', who: ['/id-mn'] } });
  });

  it('From in any form of the topic originator is accepted', async () => {
    for (const fr of ['/id-mn', '//m2msec.org/id-mn']) expect((await handle(rq({ fr }), asMn)).rsc).toBe(2000);
  });

  it.each([
    [
      'a From naming another originator',
      rq({ fr: '/id-in' }),
      asMn,
      4106,
      /not the originator the broker authenticated/,
    ],
    [
      'a reg_req topic (a credential, no originator)',
      rq({}),
      over('/oneM2M/reg_req/12-dev1@m2msec.org/id-maf/json'),
      4106,
      /no req topic/,
    ],
    [
      'another binding',
      rq({}),
      { binding: 'http', association: { boundIds: ['/id-mn'], framework: 'mqtt-broker' } } as TransportContext,
      4106,
      /no req topic/,
    ],
    ['a bare C-type AE-ID-Stem', rq({ fr: 'Cae1' }), over('/oneM2M/req/Cae1/id-maf/json'), 4106, /SP-relative AE-ID/],
    ['no From', rq({ fr: undefined }), asMn, 4000, /no From/],
    ['a From that is no ID', rq({ fr: 'a b' }), asMn, 4000, /not an AE-ID or CSE-ID/],
    ['an unknown path', rq({ to: '/maf/other' }), asMn, 4004, /no resource/],
    ['an operation the path does not take', rq({ op: 3 }), asMn, 4005, /operation 3 is not allowed/],
    ['NOTIFY', rq({ op: 5 }), asMn, 4005, /operation 5 is not served/],
    [
      'a content above the route limit',
      rq({ op: 1, to: '/maf/symmKeyReg', pc: { k: 'x'.repeat(100) } as never }),
      asMn,
      4000,
      /exceeds the limit of 64 bytes/,
    ],
    ['a query in To', rq({ to: '/maf/symmKeyReg/r1?x=1' }), asMn, 4000, /no query/],
    ['the role refusing', rq({ to: '/maf/symmKeyReg/gone' }), asMn, 4004, /no key registration 'gone'/],
    ['a route with no oneM2M status', rq({ op: 4 }), asMn, 5000, /internal server error/],
  ])('refuses %s', async (_, req, transport, rsc, message) => {
    const n = seen.length;
    await expect(handle(req, transport)).rejects.toMatchObject({ rsc, message: expect.stringMatching(message) });
    expect(seen.length).toBe(n); // the procedure never ran
  });
});
