// Request expiry, large payloads, malformed payloads and topics: an error response where a response
// topic can be formed, a log line otherwise, and the binding keeps serving.
import { formatTimestamp, type RequestPrimitive, type ResponsePrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttConnection, MqttOriginator } from '../src/index.js';
import { certConnect, cseId, openWorld, until, type World } from './helpers/world.js';

let w: World;
let ae: MqttOriginator;
let raw: MqttConnection;
const rawResponses: Array<{ topic: string; rsp: ResponsePrimitive }> = [];
let n = 0;
const rqi = () => `rb${++n}`;
const MAX = 2 * 1024 * 1024;

beforeAll(async () => {
  w = await openWorld();
  await w.binding.close();
  await w.startBinding({ maxPayloadBytes: MAX });
  ae = await MqttOriginator.open({
    originator: 'Cae2',
    receiver: cseId,
    connect: certConnect(w.broker, 'Cae2', 'A::Cae2'),
  });
  const reg = await ae.send({
    op: 1,
    to: 'cse-in',
    fr: 'Cae2',
    rqi: rqi(),
    rvi: '3',
    ty: 2,
    pc: { 'm2m:ae': { api: 'Nrobust', rr: false, srv: ['3'] } },
  });
  expect(reg.rsc).toBe(2001);
  // A second identity's raw client sees the error responses that carry no usable rqi.
  raw = await MqttConnection.connect(certConnect(w.broker, 'Craw', 'A::Craw'));
  await raw.subscribe('/oneM2M/resp/Craw/+/+', (topic, p) =>
    rawResponses.push({ topic, rsp: JSON.parse(p.toString()) }),
  );
});
afterAll(async () => {
  await ae?.close();
  await raw?.close();
  await w?.close();
});

const retrieve = (extra: Partial<RequestPrimitive> = {}): RequestPrimitive => ({
  op: 2,
  to: 'cse-in/Cae2',
  fr: 'Cae2',
  rqi: rqi(),
  rvi: '3',
  ...extra,
});

async function rawExchange(payload: string | Buffer, topic = '/oneM2M/req/Craw/id-in/json') {
  const before = rawResponses.length;
  await raw.publish(topic, payload);
  await until(() => rawResponses.length > before, 5000, `response on ${topic}`);
  return rawResponses[before]!;
}

describe('request expiry (TS-0010 6.4.3)', () => {
  it('a request whose rqet has passed is answered 4008 and logged, not executed', async () => {
    const past = formatTimestamp(new Date(Date.now() - 2000));
    const rsp = await ae.send(retrieve({ rqet: past }));
    expect(rsp.rsc).toBe(4008);
    expect(rsp.dbg).toMatch(/expired/);
    expect(w.logs.some((l) => l.rqi === rsp.rqi && /expired request rejected with 4008/.test(l.message))).toBe(true);
    const fresh = await ae.send(retrieve({ rqet: formatTimestamp(new Date(Date.now() + 60_000)) }));
    expect(fresh.rsc).toBe(2000);
  });

  it('requests queued by the broker while the CSE was away: the expired one gets 4008, the other is served', async () => {
    await w.binding.close();
    // Clean Session false: the broker keeps the CSE's subscriptions and queues QoS 1 requests.
    const expiring = ae.send(retrieve({ rqet: formatTimestamp(new Date(Date.now() + 1000)) }), { timeoutMs: 20_000 });
    const lasting = ae.send(retrieve({ rqet: formatTimestamp(new Date(Date.now() + 600_000)) }), { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 2000));
    await w.startBinding({ maxPayloadBytes: MAX });
    expect((await expiring).rsc).toBe(4008);
    expect((await lasting).rsc).toBe(2000);
  });

  it('the originator gives up with 4008 when no response comes in time', async () => {
    await expect(ae.send(retrieve(), { receiver: '/id-nowhere', timeoutMs: 300 })).rejects.toMatchObject({
      rsc: 4008,
    });
    expect(ae.pending).toBe(0);
  });
});

describe('large payloads', () => {
  it('a 1 MiB contentInstance goes through and comes back', async () => {
    const cnt = await ae.send({
      op: 1,
      to: 'cse-in/Cae2',
      fr: 'Cae2',
      rqi: rqi(),
      rvi: '3',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'big', mbs: 8 * 1024 * 1024 } },
    });
    expect(cnt.rsc, cnt.dbg).toBe(2001);
    const con = 'x'.repeat(1024 * 1024);
    const cin = await ae.send({
      op: 1,
      to: 'cse-in/Cae2/big',
      fr: 'Cae2',
      rqi: rqi(),
      rvi: '3',
      ty: 4,
      pc: { 'm2m:cin': { rn: 'one', con } },
    });
    expect(cin.rsc, cin.dbg).toBe(2001);
    const back = await ae.send(retrieve({ to: 'cse-in/Cae2/big/one' }));
    expect(back.rsc).toBe(2000);
    expect((back.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe(con);
  });

  it('a payload over the configured maximum is answered 4000 without being parsed', async () => {
    const huge = JSON.stringify({ ...retrieve({ fr: 'Craw' }), pc: { 'm2m:cin': { con: 'y'.repeat(MAX) } } });
    const { rsp } = await rawExchange(huge);
    expect(rsp.rsc).toBe(4000);
    expect(rsp.pc).toEqual({
      'm2m:dbg': `payload of ${Buffer.byteLength(huge)} bytes exceeds the limit of ${MAX} bytes`,
    });
  });

  it('the originator refuses to send more than its own maximum (4000, nothing published)', async () => {
    const small = await MqttOriginator.open({
      originator: 'Cae2',
      receiver: cseId,
      connection: ae.connection,
      maxPayloadBytes: 1000,
    });
    await expect(small.send(retrieve({ vsi: 'z'.repeat(2000) }))).rejects.toMatchObject({ rsc: 4000 });
    await small.close();
  });
});

describe('malformed payloads and topics', () => {
  it.each([
    ['not JSON', '{"op": 2,', /not valid JSON/, ''],
    ['not UTF-8', Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), /not valid UTF-8/, ''],
    ['not an object', '[1,2,3]', /not a JSON object/, ''],
    ['no rqi', '{"op":2,"to":"cse-in","fr":"Craw","rvi":"3"}', /has no 'rqi'/, ''],
    [
      'op of the wrong type',
      '{"op":"2","to":"cse-in","fr":"Craw","rqi":"m1","rvi":"3"}',
      /'op' must be an integer/,
      'm1',
    ],
    [
      'pc of the wrong type',
      '{"op":1,"ty":3,"to":"cse-in","fr":"Craw","rqi":"m2","rvi":"3","pc":"x"}',
      /'pc' must be an object/,
      'm2',
    ],
    [
      'an unknown parameter (checked by the CSE)',
      '{"op":2,"to":"cse-in","fr":"Craw","rqi":"m3","rvi":"3","zz":1}',
      /unknown request parameter 'zz'/,
      'm3',
    ],
    ['a malformed rqet', '{"op":2,"to":"cse-in","fr":"Craw","rqi":"m4","rvi":"3","rqet":"soon"}', /rqet/, 'm4'],
  ])('%s -> 4000 with a message on the response topic', async (_, payload, message, expectedRqi) => {
    const { topic, rsp } = await rawExchange(payload);
    expect(topic).toBe('/oneM2M/resp/Craw/id-in/json');
    expect(rsp.rsc).toBe(4000);
    expect(rsp.rqi).toBe(expectedRqi);
    expect((rsp.pc as { 'm2m:dbg': string })['m2m:dbg']).toMatch(message);
  });

  it('an originator level that is no ID -> 4000 on the response topic', async () => {
    const odd = await MqttConnection.connect(certConnect(w.broker, 'a:b:c', 'A::odd'));
    const got: ResponsePrimitive[] = [];
    await odd.subscribe('/oneM2M/resp/a:b:c/+/+', (_, p) => got.push(JSON.parse(p.toString())));
    await odd.publish('/oneM2M/req/a:b:c/id-in/json', JSON.stringify(retrieve({ rqi: 'odd1', fr: 'Codd' })));
    await until(() => got.length > 0, 5000, 'odd response');
    expect(got[0]).toMatchObject({ rsc: 4000, rqi: 'odd1' });
    expect((got[0]!.pc as { 'm2m:dbg': string })['m2m:dbg']).toMatch(/malformed/);
    await odd.close();
  });

  it('a serialization the binding does not speak is dropped with a log line; the binding keeps serving', async () => {
    await raw.publish('/oneM2M/req/Craw/id-in/xml', '<m2m:rqp/>');
    await until(() => w.logs.some((l) => l.topic === '/oneM2M/req/Craw/id-in/xml'), 5000, 'log line');
    expect(w.logs.find((l) => l.topic === '/oneM2M/req/Craw/id-in/xml')?.message).toMatch(/serialization 'xml'/);
    const ok = await ae.send(retrieve());
    expect(ok.rsc).toBe(2000);
    await until(() => w.binding.inFlight === 0, 5000, 'no request in flight');
  });
});
