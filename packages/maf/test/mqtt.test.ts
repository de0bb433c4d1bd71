// The Mmaf procedures over MQTT (docs/maf.md "Mmaf over MQTT"): a private mosquitto configured by
// infra/mosquitto (certificate listener, username = certificate CN, ACL `write /oneM2M/req/%u/+/+`), the
// MAF's procedures behind binding-mqtt's edgeRouteHandler, MAF clients as MQTT originators. The client
// identity is the one the broker proved in the topic; From must name it; what needs the MAF
// Handshake's own TLS session is refused with 4107.
import { randomBytes } from 'node:crypto';
import {
  clientIdForCse,
  createMqttBinding,
  edgeRouteHandler,
  type MqttBinding,
  MqttConnection,
  type MqttConnectOptions,
  MqttOriginator,
} from '@m2msec/binding-mqtt';
import type { RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../../binding-mqtt/test/helpers/broker.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

const SP = 'm2msec.org';
const MAF_ID = '/id-maf';
let broker: TestBroker;
let t: TestMaf;
let binding: MqttBinding;
/** Requests that reached the MAF's handler, as '<rqi> <broker-proven originator>'. */
const reached: string[] = [];
const open: Array<{ close(): Promise<void> }> = [];
let n = 0;

const certConnect = (cn: string, clientId: string, extra: Partial<MqttConnectOptions> = {}): MqttConnectOptions => {
  const pem = broker.pki.client(cn);
  return {
    url: broker.tlsUrl,
    clientId,
    tls: { ca: broker.pki.ca, cert: pem.cert, key: pem.key },
    reconnectPeriodMs: 0,
    ...extra,
  };
};

/** One originator per identity: a second session under the same ClientId would take the first over. */
const originators = new Map<string, MqttOriginator>();
async function originator(cn: string): Promise<MqttOriginator> {
  const known = originators.get(cn);
  if (known) return known;
  const o = await MqttOriginator.open({
    originator: cn,
    receiver: MAF_ID,
    connect: certConnect(cn, clientIdForCse(`/${cn}`)),
    timeoutMs: 15_000,
  });
  open.push(o);
  originators.set(cn, o);
  return o;
}

const rq = (fr: string, op: number, to: string, pc?: Record<string, unknown>): RequestPrimitive => ({
  op: op as RequestPrimitive['op'],
  to,
  fr,
  rqi: `mq${++n}`,
  rvi: '3',
  ...(pc ? { pc: pc as RequestPrimitive['pc'] } : {}),
});
// The originator side reads an error's {"m2m:dbg"} content into dbg.
const dbg = (r: ResponsePrimitive) => r.dbg ?? (r.pc as { 'm2m:dbg'?: string } | undefined)?.['m2m:dbg'];
const registration = (fr: string) =>
  rq(fr, 1, '/maf/mafClientReg', { mafFQDN: MAF_FQDN, expirationTime: inMinutes(60), adminFQDN: ADMIN_FQDN });
const state = async () => ({
  clientRegs: (await t.admin('GET', '/admin/clientRegs')).body,
  keyRegs: (await t.admin('GET', '/admin/keyRegs')).body,
});

beforeAll(async () => {
  broker = await startBroker(); // no per-user ACL lines: the %u patterns let the MAF serve as itself
  t = await startTestMaf({ mqtt: { spId: SP } });
  const handler = edgeRouteHandler(t.maf.mqttRoutes!, { ids: { cseId: MAF_ID, spId: SP } });
  binding = await createMqttBinding({
    handler: (req, transport) => {
      reached.push(`${req.rqi} ${transport.association?.boundIds.join(',')}`);
      return handler(req, transport);
    },
    cseId: MAF_ID,
    spId: SP,
    registration: false,
    connect: certConnect('id-maf', clientIdForCse(MAF_ID)),
  });
}, 60_000);

afterAll(async () => {
  for (const o of open) await o.close();
  await binding?.close({ endSession: true });
  await t?.close();
  await broker?.stop();
});

describe('Mmaf procedures over MQTT (TS-0010 6.4.3) with the broker-proven originator', () => {
  it('MAF Client Registration, Key Registration (keyValue) and Key Retrieval by the Target', async () => {
    const mn = await originator('id-mn');
    const inCse = await originator('id-in');
    const reg = await mn.send(registration('/id-mn'));
    expect(reg.rsc, JSON.stringify(reg)).toBe(2001);
    expect(reg.pc).toMatchObject({ mafClientID: `//${SP}/id-mn`, adminFQDN: ADMIN_FQDN });
    expect(reg.pc).not.toHaveProperty('assignedSymmKeyID');

    const key = randomBytes(32);
    const kr = await mn.send(
      rq('/id-mn', 1, 'maf/symmKeyReg', {
        mafFQDN: MAF_FQDN,
        expirationTime: inMinutes(30),
        adminFQDN: ADMIN_FQDN,
        suid: 32,
        targetIDs: [`//${SP}/id-in`],
        keyValue: key.toString('base64'),
      }),
    );
    expect(kr.rsc).toBe(2001);
    const rid = (kr.pc as { relativeKeyID: string }).relativeKeyID;
    expect(kr.pc).toMatchObject({ keyIdentifier: `${rid}@${MAF_FQDN}`, sourceMafClientID: `//${SP}/id-mn` });

    const got = await inCse.send(rq('/id-in', 2, `/maf/symmKeyReg/${rid}`));
    expect(got.rsc).toBe(2000);
    expect(Buffer.from((got.pc as { keyValue: string }).keyValue, 'base64')).toEqual(key);
    expect(got.pc).toMatchObject({ sourceMafClientID: `//${SP}/id-mn`, suid: 32 });

    // Not a Target: the broker-proven identity decides, as over a MAF Handshake (8.8.2.8).
    const other = await originator('id-asn');
    const denied = await other.send(rq('/id-asn', 2, `/maf/symmKeyReg/${rid}`));
    expect(denied.rsc).toBe(4103);
    expect(dbg(denied)).toMatch(/not an authorised Target/);
  });

  it('what needs the MAF Handshake session itself is refused with 4107 and stores nothing', async () => {
    const mn = await originator('id-mn');
    const before = await state();
    const exporter = await mn.send(
      rq('/id-mn', 1, '/maf/symmKeyReg', {
        mafFQDN: MAF_FQDN,
        expirationTime: inMinutes(30),
        adminFQDN: ADMIN_FQDN,
        suid: 32,
        targetIDs: [`//${SP}/id-in`],
      }),
    );
    expect(exporter.rsc).toBe(4107);
    expect(dbg(exporter)).toMatch(/exporter output.*TLS session with the MAF/);
    const grant = await mn.send(rq('/id-mn', 1, '/maf/dkTrustAnchor/ta1/grants', {}));
    expect(grant.rsc).toBe(4107);
    expect(dbg(grant)).toMatch(/MAF Handshake/);
    expect(await state()).toEqual(before);
  });
});

describe('attacks', () => {
  it('publishing under another identity is stopped by the broker ACL (MQTT 5 PUBACK 0x87) and never reaches the MAF', async () => {
    const rogue = await MqttConnection.connect(certConnect('id-asn', 'C::id-asn-v5', { protocolVersion: 5 }));
    open.push(rogue);
    const spoof = { ...registration('/id-mn'), rqi: 'spoofed-topic' };
    await expect(rogue.publish('/oneM2M/req/id-mn/id-maf/json', JSON.stringify(spoof))).rejects.toMatchObject({
      code: 0x87,
    });
    // Its own topic passes the broker (the MAF answers it), so the refusal above was the ACL's.
    const own = { ...registration('/id-asn'), rqi: 'own-topic' };
    await rogue.publish('/oneM2M/req/id-asn/id-maf/json', JSON.stringify(own));
    const deadline = Date.now() + 10_000;
    while (!reached.some((r) => r.startsWith('own-topic')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(reached.find((r) => r.startsWith('own-topic'))).toBe('own-topic /id-asn');
    expect(reached.some((r) => r.startsWith('spoofed-topic'))).toBe(false);
  });

  it('a From naming another client than the topic originator is refused with 4106, nothing stored', async () => {
    const asn = await originator('id-asn');
    const before = await state();
    for (const fr of ['/id-mn', `//${SP}/id-mn`, '/id-in/Cae1']) {
      const r = await asn.send(registration(fr));
      expect(r.rsc).toBe(4106);
      expect(dbg(r)).toMatch(/not the originator the broker authenticated/);
    }
    const none = await asn.send({ ...registration('x'), fr: undefined } as unknown as RequestPrimitive);
    expect(none.rsc).toBe(4000);
    expect(dbg(none)).toMatch(/no From/);
    expect(await state()).toEqual(before);
  });

  it('a bare C-type AE-ID-Stem names no MAF client: 4106', async () => {
    // The ACL lets 'Cae1' publish as itself, but outside its registrar the stem is ambiguous.
    const ae = await MqttOriginator.open({
      originator: 'Cae1',
      receiver: MAF_ID,
      connect: certConnect('Cae1', 'A::Cae1'),
      timeoutMs: 15_000,
    });
    open.push(ae);
    const r = await ae.send(registration('Cae1'));
    expect(r.rsc).toBe(4106);
    expect(dbg(r)).toMatch(/SP-relative AE-ID/);
  });

  it('malformed payloads get 4000 with a precise message and leave no state', async () => {
    const c = await MqttConnection.connect(certConnect('id-asn', 'C::id-asn-raw'));
    open.push(c);
    const answers = new Map<string, ResponsePrimitive>();
    const anon: ResponsePrimitive[] = [];
    await c.subscribe('/oneM2M/resp/id-asn/+/+', (_, p) => {
      const r = JSON.parse(p.toString()) as ResponsePrimitive;
      if (r.rqi) answers.set(r.rqi, r);
      else anon.push(r);
    });
    const before = await state();
    const send = (body: string) => c.publish('/oneM2M/req/id-asn/id-maf/json', body);
    await send('{"op":1,"to":"/maf/mafClientReg","fr":"id-asn","rqi":"bad-json"'); // truncated
    await send(JSON.stringify({ ...registration('/id-asn'), rqi: 'bad-pc', pc: ['not', 'an', 'object'] }));
    await send(JSON.stringify({ ...registration('/id-asn'), rqi: 'bad-attr', pc: { mafFQDN: MAF_FQDN, surprise: 1 } }));
    await send(JSON.stringify({ ...registration('/id-asn'), rqi: 'bad-fqdn', pc: { mafFQDN: 'other.example' } }));
    await send(JSON.stringify({ ...rq('/id-asn', 2, '/maf/symmKeyReg/..%2f..'), rqi: 'bad-rid' }));
    await send(JSON.stringify({ ...rq('/id-asn', 1, '/maf/nothing', {}), rqi: 'bad-path' }));
    await send(JSON.stringify({ ...rq('/id-asn', 5, '/maf/mafClientReg', {}), rqi: 'bad-op' }));
    const deadline = Date.now() + 15_000;
    while ((answers.size < 6 || anon.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(anon[0]).toMatchObject({ rsc: 4000, pc: { 'm2m:dbg': expect.stringMatching(/not valid JSON/) } });
    const expectAnswer = (rqi: string, rsc: number, message: RegExp) => {
      const r = answers.get(rqi);
      expect(r?.rsc, rqi).toBe(rsc);
      expect(dbg(r!), rqi).toMatch(message);
      expect(JSON.stringify(r)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    };
    expectAnswer('bad-pc', 4000, /'pc' must be an object/);
    expectAnswer('bad-attr', 4000, /surprise/);
    expectAnswer('bad-fqdn', 4000, /mafFQDN/);
    expectAnswer('bad-rid', 4000, /RelativeKeyID/i);
    expectAnswer('bad-path', 4004, /no resource/);
    expectAnswer('bad-op', 4005, /operation 5/);
    expect(await state()).toEqual(before);
  });
});

describe('the broker identity comes only from the MQTT binding', () => {
  it('an association claiming the broker framework on another binding authenticates no one (4103)', async () => {
    const route = t.maf.mqttRoutes!.find((r) => r.method === 'POST' && r.path === '/maf/mafClientReg')!;
    const body = new TextEncoder().encode(JSON.stringify(registration('/id-mn').pc));
    const call = (binding: 'http' | 'mqtt') =>
      route.handle({
        method: 'POST',
        path: route.path,
        target: route.path,
        params: {},
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json' },
        body,
        transport: { binding, association: { boundIds: ['/id-mn'], framework: 'mqtt-broker' } },
      });
    await expect(call('http')).rejects.toMatchObject({ rsc: 4103, message: /authenticates no MAF client/ });
    expect((await call('mqtt')).rsc).toBe(2001); // the same facts from the MQTT binding do count
  });
});
