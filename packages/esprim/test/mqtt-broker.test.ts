// ESPrim over a real MQTT broker (TS-0010): the machine's mosquitto on 127.0.0.1:1883, a topic prefix of
// this run (6.6) so other users of the broker do not interfere. The AE publishes the outer NOTIFYs with
// MqttOriginator; the Target is createMqttBinding serving a handler wrapped by withESPrimTarget. What the
// broker carried is read back by a third client subscribed to every topic of the prefix: only ciphertext.
import { randomBytes } from 'node:crypto';
import { createMqttBinding, type MqttBinding, MqttConnection, MqttOriginator } from '@m2msec/binding-mqtt';
import type { RequestHandler } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  esprimVerifiedOriginator,
  PairwiseESPrimKeys,
  withESPrimTarget,
} from '../src/index.js';

const url = process.env.M2MSEC_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const prefix = `m2msec-esprim-${randomBytes(4).toString('hex')}`;
const tag = randomBytes(3).toString('hex');
const AE = '/id-mn/Cae1';
const key = randomBytes(32);
let binding: MqttBinding;
let ae: MqttOriginator;
let spy: MqttConnection;
const onWire: string[] = [];
const verified: Array<string | undefined> = [];

beforeAll(async () => {
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: 'k1', key, identity: AE });
  // The inner handler answers with what it was asked, and records who ESPrim proved.
  const inner: RequestHandler = async (req, transport) => {
    verified.push(esprimVerifiedOriginator(transport));
    return { rsc: 2000, rqi: req.rqi, pc: { 'm2m:cin': { con: `seen ${req.op} ${req.to}` } } };
  };
  binding = await createMqttBinding({
    handler: withESPrimTarget(inner, {
      receiver: new ESPrimReceiver({ keys }),
      isCseBase: (to) => to === '/id-in/cse-in',
    }),
    cseId: '/id-in',
    spId: 'm2msec.org',
    connect: { url, clientId: `C::id-in-${tag}` },
    topicPrefix: prefix,
    registration: false,
  });
  ae = await MqttOriginator.open({
    originator: 'Cae1',
    receiver: '/id-in',
    connect: { url, clientId: `A::Cae1-${tag}` },
    topicPrefix: prefix,
  });
  spy = await MqttConnection.connect({ url, clientId: `spy-${tag}` });
  await spy.subscribe(`${prefix}/#`, (_topic, payload) => onWire.push(payload.toString()));
});

afterAll(async () => {
  await ae?.close({ endSession: true });
  await binding?.close({ endSession: true });
  await spy?.close({ endSession: true });
});

describe('ESPrim over mosquitto', () => {
  it('a protected RETRIEVE and its response cross the broker; the broker sees only ciphertext', async () => {
    const client = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: 'k1', pairwiseESPrimKey: key }),
      send: (req) => ae.send(req),
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    const r = await client.request({ op: 2, to: '/id-in/cse-in/secret-container', fr: AE, rqi: 'm1', rvi: '3' });
    expect(r.rsc, r.dbg).toBe(2000);
    expect((r.pc as any)['m2m:cin'].con).toBe('seen 2 /id-in/cse-in/secret-container');
    expect(verified).toEqual([AE]);
    await new Promise((res) => setTimeout(res, 200));
    expect(onWire.length).toBeGreaterThanOrEqual(4); // sit 3 request + response, sit 5 request + response
    expect(onWire.join('\n')).toContain('m2m:seci');
    expect(onWire.join('\n')).not.toContain('secret-container');
  });
});
