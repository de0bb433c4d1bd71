// TS-0010 request payloads (JSON serialization of a request primitive) and topics, as the MQTT binding
// receives them from the broker.
import { decodeRequestPayload, parseTopic, RequestDecodeError } from '@m2msec/binding-mqtt';
import { M2MError, validateRequest } from '@m2msec/protocol';
import * as fc from 'fast-check';
import { harness } from '../harness.js';
import { deepJson, mutatedBytes, textInput } from '../mutate.js';

const payloads = [
  {
    op: 1,
    to: '/id-in/cse-in',
    fr: 'Cmeter',
    rqi: 'r1',
    rvi: '3',
    ty: 2,
    pc: { 'm2m:ae': { rn: 'meter', api: 'Nmeter', rr: false, srv: ['3'] } },
  },
  { op: 2, to: 'cse-in/meter/power/la', fr: 'Cmeter', rqi: 'r2', rvi: '3' },
  {
    op: 2,
    to: 'cse-in',
    fr: 'Cmeter',
    rqi: 'r3',
    rvi: '3',
    rcn: 4,
    fc: { ty: [4], lim: 10, fu: 1, lbl: ['x'], fo: 1 },
  },
  {
    op: 3,
    to: 'cse-in/meter',
    fr: 'Cmeter',
    rqi: 'r4',
    rvi: '3',
    pc: { 'm2m:ae': { lbl: ['a'] } },
    rqet: '20261207T000000',
  },
  { op: 4, to: 'cse-in/meter', fr: 'Cmeter', rqi: 'r5', rvi: '3', rt: { rtv: 1 } },
].map((p) => Buffer.from(JSON.stringify(p)));

const topics = [
  '/oneM2M/req/Cmeter/id-in/json',
  '/oneM2M/resp/id-in/Cmeter/json',
  '/oneM2M/reg_req/Cnew/id-in/json',
  '/oneM2M/req/id-mn/id-in/cbor',
];

export const mqttPayload = harness({
  name: 'mqtt-request',
  parses: 'binding-mqtt decodeRequestPayload + protocol validateRequest (TS-0010 6.4, TS-0004 7.2)',
  input: fc.oneof(
    { weight: 10, arbitrary: mutatedBytes(payloads) },
    {
      weight: 1,
      arbitrary: deepJson.map((j) => Buffer.from(`{"op":1,"to":"x","fr":"C","rqi":"1","rvi":"3","ty":4,"pc":${j}}`)),
    },
  ),
  run(payload) {
    validateRequest(decodeRequestPayload(payload));
  },
  refusal: (e) => e instanceof RequestDecodeError || (e instanceof M2MError && e.rsc < 5000),
});

export const mqttTopic = harness({
  name: 'mqtt-topic',
  parses: 'binding-mqtt parseTopic (TS-0010 6.3 topic names)',
  input: textInput(topics),
  run(topic) {
    parseTopic(topic);
  },
  refusal: (e) => e instanceof RequestDecodeError || e instanceof M2MError,
});
