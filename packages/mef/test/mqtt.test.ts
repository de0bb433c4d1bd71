// The Mmef procedures over MQTT (docs/mef.md "Mmef over MQTT"): a private mosquitto configured by
// infra/mosquitto (certificate listener, username = certificate CN, ACL `write /oneM2M/req/%u/+/+`), the
// MEF's Mmef routes behind binding-mqtt's edgeRouteHandler. The client is the originator the broker
// proved; From must name it (4106); a key from the MEF Handshake exporter is refused with 4107.
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
import { mmefSession } from '../src/index.js';
import { MEF_FQDN, startTestMef, type TestMef } from './helpers.js';

const SP = 'm2msec.org';
const MEF_ID = '/id-mef';
const ADMIN_FQDN = 'sp.m2msec.org';
let broker: TestBroker;
let t: TestMef;
let binding: MqttBinding;
const reached: string[] = [];
const originators = new Map<string, MqttOriginator>();
const conns: MqttConnection[] = [];
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

async function originator(cn: string): Promise<MqttOriginator> {
  const known = originators.get(cn);
  if (known) return known;
  const o = await MqttOriginator.open({
    originator: cn,
    receiver: MEF_ID,
    connect: certConnect(cn, clientIdForCse(`/${cn}`)),
    timeoutMs: 15_000,
  });
  originators.set(cn, o);
  return o;
}

const later = () => new Date(Date.now() + 3_600_000).toISOString();
const rq = (fr: string, op: number, to: string, pc?: Record<string, unknown>): RequestPrimitive => ({
  op: op as RequestPrimitive['op'],
  to,
  fr,
  rqi: `mef${++n}`,
  rvi: '3',
  ...(pc ? { pc: pc as RequestPrimitive['pc'] } : {}),
});
const dbg = (r: ResponsePrimitive) => r.dbg ?? (r.pc as { 'm2m:dbg'?: string } | undefined)?.['m2m:dbg'];
const registration = (fr: string) =>
  rq(fr, 1, '/mef/mefClientReg', { mefFQDN: MEF_FQDN, expirationTime: later(), adminFQDN: ADMIN_FQDN });
const state = async () => ({
  clientRegs: (await t.mef.store.clientRegs.list('')).length,
  keyRegs: (await t.mef.store.keyRegs.list('')).length,
});

beforeAll(async () => {
  broker = await startBroker(); // no per-user ACL lines: the %u patterns let the MEF serve as itself
  t = await startTestMef({ mqtt: { spId: SP } });
  const handler = edgeRouteHandler(t.mef.mqttRoutes!, { ids: { cseId: MEF_ID, spId: SP } });
  binding = await createMqttBinding({
    handler: (req, transport) => {
      reached.push(`${req.rqi} ${transport.association?.boundIds.join(',')}`);
      return handler(req, transport);
    },
    cseId: MEF_ID,
    spId: SP,
    registration: false,
    connect: certConnect('id-mef', clientIdForCse(MEF_ID)),
  });
}, 60_000);

afterAll(async () => {
  for (const o of originators.values()) await o.close();
  for (const c of conns) await c.close();
  await binding?.close({ endSession: true });
  await t?.close();
  await broker?.stop();
});

describe('Mmef procedures over MQTT with the broker-proven originator', () => {
  it('MEF Client Registration, Key Registration (keyValue) and Key Retrieval by the Target only', async () => {
    const src = await originator('id-mn');
    const reg = await src.send(registration('/id-mn'));
    expect(reg.rsc, JSON.stringify(reg)).toBe(2001);
    expect(reg.pc).toMatchObject({ mefClientID: `mqtt://${SP}/id-mn`, adminFQDN: ADMIN_FQDN });

    const key = randomBytes(32);
    const kr = await src.send(
      rq('/id-mn', 1, '/mef/symmKeyReg', {
        mefFQDN: MEF_FQDN,
        expirationTime: later(),
        adminFQDN: ADMIN_FQDN,
        suid: 22,
        targetIDs: [`//${SP}/id-in`],
        keyValue: key.toString('base64'),
      }),
    );
    expect(kr.rsc, JSON.stringify(kr)).toBe(2001);
    const rid = (kr.pc as { relativeKeyID: string }).relativeKeyID;

    const got = await (await originator('id-in')).send(rq('/id-in', 2, `/mef/symmKeyReg/${rid}`));
    expect(got.rsc, JSON.stringify(got)).toBe(2000);
    expect(Buffer.from((got.pc as { keyValue: string }).keyValue, 'base64')).toEqual(key);

    const denied = await (await originator('id-asn')).send(rq('/id-asn', 2, `/mef/symmKeyReg/${rid}`));
    expect(denied.rsc).toBe(4103);
    expect(dbg(denied)).toMatch(/not an authorised Target/);
  });

  it('a key from the MEF Handshake exporter needs that session: 4107, nothing stored', async () => {
    const before = await state();
    const r = await (await originator('id-mn')).send(
      rq('/id-mn', 1, '/mef/symmKeyReg', {
        mefFQDN: MEF_FQDN,
        expirationTime: later(),
        adminFQDN: ADMIN_FQDN,
        suid: 22,
        targetIDs: [`//${SP}/id-in`],
      }),
    );
    expect(r.rsc).toBe(4107);
    expect(dbg(r)).toMatch(/exporter output.*TLS session with the MEF/);
    expect(await state()).toEqual(before);
  });
});

describe('attacks', () => {
  it('another identity in the topic is stopped by the broker ACL (PUBACK 0x87), never reaching the MEF', async () => {
    const rogue = await MqttConnection.connect(certConnect('id-asn', 'C::id-asn-v5', { protocolVersion: 5 }));
    conns.push(rogue);
    const spoof = { ...registration('/id-mn'), rqi: 'spoofed' };
    await expect(rogue.publish('/oneM2M/req/id-mn/id-mef/json', JSON.stringify(spoof))).rejects.toMatchObject({
      code: 0x87,
    });
    await rogue.publish('/oneM2M/req/id-asn/id-mef/json', JSON.stringify({ ...registration('/id-asn'), rqi: 'own' }));
    const deadline = Date.now() + 10_000;
    while (!reached.some((r) => r.startsWith('own ')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(reached.find((r) => r.startsWith('own '))).toBe('own /id-asn');
    expect(reached.some((r) => r.startsWith('spoofed'))).toBe(false);
  });

  it('a From other than the topic originator gets 4106 and a malformed content 4000, nothing stored', async () => {
    const asn = await originator('id-asn');
    const before = await state();
    const spoofed = await asn.send(registration('/id-mn'));
    expect(spoofed.rsc).toBe(4106);
    expect(dbg(spoofed)).toMatch(/not the originator the broker authenticated/);
    const wrongMef = await asn.send(rq('/id-asn', 1, '/mef/mefClientReg', { mefFQDN: 'other.example' }));
    expect(wrongMef.rsc).toBe(4000);
    expect(dbg(wrongMef)).toMatch(/mefFQDN must name this MEF/);
    expect(await state()).toEqual(before);
  });
});

describe('the broker identity comes only from the MQTT binding', () => {
  it('an association claiming the broker framework on another binding proves nothing', () => {
    const association = { boundIds: ['/id-mn'], framework: 'mqtt-broker' };
    expect(mmefSession({ binding: 'http', association }, SP)).toEqual({});
    expect(mmefSession({ binding: 'mqtt', association }, SP)).toEqual({ brokerId: `//${SP}/id-mn` });
    expect(mmefSession({ binding: 'mqtt', association }, undefined)).toEqual({}); // MQTT not configured
  });
});
