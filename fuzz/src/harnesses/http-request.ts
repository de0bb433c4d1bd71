// TS-0009 request decoding as the HTTP binding does it, then the primitive checks every request gets
// (protocol.validateRequest). A refusal is an M2MError with a 4xxx status: a 5xxx for bad input is a finding.
// Inputs are valid requests with 0..2 of their parts mutated, so each part alone can be what is wrong.
import { decodeHttpRequest } from '@m2msec/binding-http';
import { M2MError, validateRequest } from '@m2msec/protocol';
import * as fc from 'fast-check';
import { harness } from '../harness.js';
import { deepJson, textInput } from '../mutate.js';

interface Request {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const base = { 'x-m2m-origin': 'Cmeter', 'x-m2m-ri': 'r1', 'x-m2m-rvi': '3' };
const create = (url: string, ty: number, body: string): Request => ({
  method: 'POST',
  url,
  headers: { ...base, 'content-type': `application/json;ty=${ty}` },
  body,
});
const templates: Request[] = [
  { method: 'GET', url: '/cse-in', headers: { ...base, 'x-m2m-origin': 'CAdmin' } },
  create(
    '/cse-in',
    2,
    '{"m2m:ae": {"rn": "meter", "api": "Nmeter", "rr": false, "srv": ["3"], "poa": ["http://127.0.0.1:9/n"]}}',
  ),
  create('/cse-in/meter', 3, '{"m2m:cnt": {"rn": "power", "mni": 100, "mbs": 10000, "lbl": ["a"]}}'),
  create('/cse-in/meter/power', 4, '{"m2m:cin": {"con": "42.7", "cnf": "text/plain:0"}}'),
  create(
    '/cse-in/meter',
    1,
    '{"m2m:acp": {"pv": {"acr": [{"acor": ["Cmeter"], "acop": 63, "acco": [{"actw": ["* * * * * *"]}]}]}, "pvs": {"acr": [{"acor": ["Cmeter"], "acop": 63}]}}}',
  ),
  create('/cse-in/meter/power', 23, '{"m2m:sub": {"nu": ["Cmeter"], "enc": {"net": [1, 3]}, "nct": 1, "exc": 5}}'),
  create('/cse-in', 9, '{"m2m:grp": {"mid": ["cse-in/meter"], "mnm": 10, "mt": 0}}'),
  {
    method: 'PUT',
    url: '/cse-in/meter',
    headers: { ...base, 'content-type': 'application/json' },
    body: '{"m2m:ae": {"lbl": ["a"]}}',
  },
  { method: 'DELETE', url: '/cse-in/meter', headers: base },
  { method: 'GET', url: '/~/id-in/cse-in/meter?fu=1&ty=4&lim=10&lbl=a&lbl=b', headers: base },
  { method: 'GET', url: '/_/m2msec.org/id-in/cse-in?fu=1&drt=2&crb=20261207T000000&lvl=2&ofst=1&fo=2', headers: base },
  { method: 'GET', url: '/cse-in/meter/power/la?rcn=4', headers: { ...base, accept: 'application/json' } },
];
const parts = [
  'method',
  'url',
  'x-m2m-origin',
  'x-m2m-ri',
  'x-m2m-rvi',
  'content-type',
  'body',
  'x-m2m-rtu',
  'x-m2m-ot',
  'x-m2m-rst',
  'x-m2m-ret',
  'x-m2m-oet',
  'x-m2m-ec',
  'x-m2m-atrl',
  'accept',
];
const partSeeds: Record<string, string[]> = {
  method: ['GET', 'POST', 'PUT', 'DELETE'],
  url: templates.map((t) => t.url),
  body: templates.flatMap((t) => (t.body ? [t.body] : [])),
};
const other = [
  'CAdmin',
  '/id-in/Cmeter',
  '//m2msec.org/id-in/Cx',
  'S',
  'C',
  '3',
  'application/json;ty=4',
  '20261207T000000',
  'PT1S',
  'http://127.0.0.1:1/x',
  '1',
  'a b',
];
const mutation = fc
  .tuple(fc.constantFrom(...parts), fc.constant(0))
  .chain(([part]) =>
    fc
      .oneof(
        { weight: 10, arbitrary: textInput(partSeeds[part] ?? other) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
      .map((value) => ({ part, value })),
  );

export default harness({
  name: 'http-request',
  parses: 'binding-http decodeHttpRequest + protocol validateRequest (TS-0009 6.x, TS-0004 7.2)',
  input: fc.record({
    template: fc.nat(templates.length - 1),
    mutations: fc.array(mutation, { maxLength: 2 }),
    deep: fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: deepJson }),
  }),
  run(i) {
    const t = templates[i.template]!;
    const r: Request = { ...t, headers: { ...t.headers } };
    for (const { part, value } of i.mutations) {
      if (part === 'method') r.method = value ?? '';
      else if (part === 'url') r.url = value ?? '';
      else if (part === 'body') r.body = value;
      else if (value === undefined) delete r.headers[part];
      else r.headers[part] = value;
    }
    if (i.deep !== null && r.body !== undefined) r.body = i.template % 2 ? `{"m2m:cin": {"con": ${i.deep}}}` : i.deep;
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, [v]]));
    const body = r.body === undefined ? undefined : Buffer.from(r.body, 'latin1');
    validateRequest(decodeHttpRequest({ method: r.method, url: r.url, headers, ...(body ? { body } : {}) }));
  },
  refusal: (e) => e instanceof M2MError && e.rsc < 5000,
});
