// MqttRequestSender: a real Cse notifies an AE that takes requests over MQTT (TS-0010 6.6 points of
// access), and the sender's failure modes (4008, 5103).
import type { RequestPrimitive, TransportContext } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttBinding, type MqttBinding, MqttOriginator, MqttRequestSender } from '../src/index.js';
import { certConnect, cseId, openWorld, spId, until, type World } from './helpers/world.js';

let w: World;
let sender: MqttRequestSender;
let ae: MqttOriginator;
let aeBinding: MqttBinding;
const notifications: Array<{ req: RequestPrimitive; transport: TransportContext }> = [];
let n = 0;
const rqi = () => `s${++n}`;

beforeAll(async () => {
  const holder: { w?: World } = {};
  sender = new MqttRequestSender({
    cseId,
    timeoutMs: 5000,
    connectOptions: () => {
      const c = certConnect(holder.w!.broker, 'id-in', 'C::id-in-sender');
      return { clientId: c.clientId, tls: c.tls };
    },
  });
  w = await openWorld({ senders: [sender] });
  holder.w = w;
  // One session per ClientId: the sender publishes over the binding's connection.
  sender.useConnection(w.binding.connection);
  ae = await MqttOriginator.open({
    originator: 'Cae5',
    receiver: cseId,
    connect: certConnect(w.broker, 'Cae5', 'A::Cae5'),
  });
  // The AE answers requests addressed to it on the same connection (one ClientId).
  aeBinding = await createMqttBinding({
    handler: async (req, transport) => {
      notifications.push({ req, transport });
      return { rsc: 2000, rqi: req.rqi };
    },
    cseId,
    receiverId: 'Cae5',
    spId,
    connection: ae.connection,
    registration: false,
  });
});
afterAll(async () => {
  await aeBinding?.close();
  await ae?.close();
  await sender?.close();
  await w?.close();
});

describe('notifications to an AE over MQTT', () => {
  it('the Cse verifies and notifies a subscription whose target takes requests over MQTT', async () => {
    const poa = `${w.broker.tlsUrl}/oneM2M/req/id-in/Cae5/json`;
    const reg = await ae.send({
      op: 1,
      to: 'cse-in',
      fr: 'Cae5',
      rqi: rqi(),
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nnotified', rr: true, srv: ['3'], poa: [poa] } },
    });
    expect(reg.rsc, reg.dbg).toBe(2001);
    const cnt = await ae.send({
      op: 1,
      to: 'cse-in/Cae5',
      fr: 'Cae5',
      rqi: rqi(),
      rvi: '3',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'box' } },
    });
    expect(cnt.rsc, cnt.dbg).toBe(2001);
    const sub = await ae.send({
      op: 1,
      to: 'cse-in/Cae5/box',
      fr: 'Cae5',
      rqi: rqi(),
      rvi: '3',
      ty: 23,
      pc: { 'm2m:sub': { rn: 'watch', nu: ['/id-in/Cae5'], enc: { net: [3] } } },
    });
    expect(sub.rsc, sub.dbg).toBe(2001);
    const cin = await ae.send({
      op: 1,
      to: 'cse-in/Cae5/box',
      fr: 'Cae5',
      rqi: rqi(),
      rvi: '3',
      ty: 4,
      pc: { 'm2m:cin': { con: 'hello' } },
    });
    expect(cin.rsc).toBe(2001);
    await until(() => notifications.some((x) => JSON.stringify(x.req.pc).includes('hello')), 5000, 'notification');
    const note = notifications.find((x) => JSON.stringify(x.req.pc).includes('hello'))!;
    expect(note.req.op).toBe(5);
    expect(note.req.fr).toBe(cseId);
    // The AE's binding trusts the topic: the publisher was the CSE's client.
    expect(note.transport.association).toEqual({ boundIds: ['/id-in'], framework: 'mqtt-broker' });
  });

  it('a point of access without a path: the receiver comes from To (an AE-ID)', async () => {
    const before = notifications.length;
    const rsp = await sender.send(w.broker.tlsUrl, {
      op: 5,
      to: '/id-in/Cae5',
      fr: cseId,
      rqi: rqi(),
      rvi: '3',
      pc: { 'm2m:sgn': { vrq: true } },
    });
    expect(rsp.rsc).toBe(2000);
    expect(notifications.length).toBe(before + 1);
  });
});

describe('sender failures', () => {
  it('nobody answers -> 4008', async () => {
    await expect(
      sender.send(w.broker.tlsUrl, { op: 5, to: 'Cnobody', fr: cseId, rqi: rqi(), rvi: '3' }, { timeoutMs: 300 }),
    ).rejects.toMatchObject({ rsc: 4008 });
  });

  it('an unreachable broker -> 5103', async () => {
    await expect(
      sender.send('mqtts://127.0.0.1:1/', { op: 5, to: 'Cae5', fr: cseId, rqi: rqi(), rvi: '3' }),
    ).rejects.toMatchObject({ rsc: 5103 });
  });

  it('a point of access that names no receiver, and To that is no ID -> 5103', async () => {
    await expect(
      sender.send(w.broker.tlsUrl, { op: 5, to: w.broker.tlsUrl, fr: cseId, rqi: rqi(), rvi: '3' }),
    ).rejects.toMatchObject({ rsc: 5103 });
    await expect(
      sender.send('http://x/', { op: 5, to: 'Cae5', fr: cseId, rqi: rqi(), rvi: '3' }),
    ).rejects.toMatchObject({ rsc: 5103 });
  });
});
