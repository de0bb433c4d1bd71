// The broker configuration of infra/mosquitto enforces TS-0010 7.3 / 7.4: only TLS-authenticated
// clients, each confined to its own topics. Shown against a private mosquitto with a real Cse behind
// the binding: refused messages never reach the CSE.
import { readFileSync } from 'node:fs';
import type { RequestPrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttConnection, MqttOriginator } from '../src/index.js';
import { certConnect, cseId, openWorld, pskConnect, until, type World } from './helpers/world.js';

let w: World;
const reached: string[] = [];
let n = 0;
const get = (fr: string): RequestPrimitive => ({ op: 2, to: 'cse-in', fr, rqi: `acl${++n}`, rvi: '3' });

beforeAll(async () => {
  w = await openWorld();
  await w.binding.close();
  await w.startBinding({
    handler: (req, t) => {
      reached.push(`${req.rqi} ${t.association?.boundIds.join(',')}`);
      return w.cse.handle(req, t);
    },
  });
});
afterAll(() => w?.close());

describe('generated broker configuration', () => {
  it('every listener refuses anonymous clients and takes the username from the TLS identity', () => {
    const conf = readFileSync(w.broker.files.confFile, 'utf8');
    expect(conf).toMatch(/^per_listener_settings true$/m);
    const listeners = conf.split(/^listener /m).slice(1);
    expect(listeners).toHaveLength(2);
    for (const l of listeners) {
      expect(l).toMatch(/^allow_anonymous false$/m);
      expect(l).toMatch(/^use_identity_as_username true$/m);
      expect(l).toMatch(/^acl_file /m);
    }
    expect(listeners[0]).toMatch(/^require_certificate true$/m);
    expect(listeners[1]).toMatch(/^psk_hint m2msec-test$/m);
    expect(readFileSync(w.broker.files.aclFile, 'utf8')).not.toMatch(/^(pattern|topic).*%c/m);
  });
});

describe('authentication by the broker (TS-0010 7.3)', () => {
  it.each([
    [
      'a certificate from another CA',
      () => {
        const rogue = w.broker.pki.client('Cae9', { rogue: true });
        return {
          ...certConnect(w.broker, 'x', 'A::Cae9'),
          tls: { ca: w.broker.pki.ca, cert: rogue.cert, key: rogue.key },
        };
      },
    ],
    ['no client certificate', () => ({ ...certConnect(w.broker, 'x', 'A::anon'), tls: { ca: w.broker.pki.ca } })],
    [
      'a wrong pre-shared key',
      () => ({
        ...pskConnect(w.broker, '12-dev1@m2msec.org', 'A::wrongkey'),
        tls: { psk: { identity: '12-dev1@m2msec.org', key: Buffer.alloc(32, 7) } },
      }),
    ],
    [
      'an unknown PSK identity',
      () => ({
        ...pskConnect(w.broker, '12-dev1@m2msec.org', 'A::unknown'),
        tls: { psk: { identity: '12-nobody@m2msec.org', key: Buffer.alloc(32, 7) } },
      }),
    ],
    [
      'plain MQTT without TLS',
      () => ({
        url: `mqtt://127.0.0.1:${w.broker.tlsPort}`,
        clientId: 'A::plain',
        reconnectPeriodMs: 0,
        connectTimeoutMs: 3000,
      }),
    ],
  ])('refuses %s', async (_, options) => {
    await expect(MqttConnection.connect({ connectTimeoutMs: 3000, ...options() })).rejects.toThrow();
  });
});

describe('topic ACL (TS-0010 7.4)', () => {
  it('MQTT 5: publishing under another originator or Credential-ID is refused in the PUBACK (0x87)', async () => {
    const ae = await MqttConnection.connect(certConnect(w.broker, 'Cae2', 'A::Cae2-v5', { protocolVersion: 5 }));
    const dev = await MqttConnection.connect(
      pskConnect(w.broker, '12-dev1@m2msec.org', 'reg::dev1-v5', { protocolVersion: 5 }),
    );
    try {
      const body = JSON.stringify(get('Cae3'));
      await expect(ae.publish('/oneM2M/req/Cae3/id-in/json', body)).rejects.toMatchObject({ code: 0x87 });
      await expect(ae.publish('/oneM2M/req/id-in:Cae3/id-in/json', body)).rejects.toMatchObject({ code: 0x87 });
      await expect(ae.publish('/oneM2M/reg_req/12-dev1@m2msec.org/id-in/json', body)).rejects.toMatchObject({
        code: 0x87,
      });
      await expect(dev.publish('/oneM2M/reg_req/12-dev2@m2msec.org/id-in/json', body)).rejects.toMatchObject({
        code: 0x87,
      });
      // ... and may not pose as the CSE answering someone.
      await expect(ae.publish('/oneM2M/resp/Cae3/id-in/json', '{}')).rejects.toMatchObject({ code: 0x87 });
      // Its own topic is fine.
      await ae.publish('/oneM2M/req/Cae2/id-in/json', JSON.stringify({ ...get('Cae2'), rqi: 'own-v5' }));
      await until(() => reached.some((r) => r.startsWith('own-v5')), 5000, 'own request');
      expect(reached.filter((r) => !r.startsWith('own-v5'))).toEqual([]);
    } finally {
      await ae.close();
      await dev.close();
    }
  });

  it('MQTT 3.1.1: the broker cannot tell the publisher, but the request never reaches the CSE', async () => {
    reached.length = 0;
    const ae = await MqttConnection.connect(certConnect(w.broker, 'Cae2', 'A::Cae2-v4'));
    const received: string[] = [];
    await ae.subscribe('/oneM2M/resp/Cae2/+/+', (_, p) => received.push(JSON.parse(p.toString()).rqi));
    try {
      await ae.publish('/oneM2M/req/Cae3/id-in/json', JSON.stringify({ ...get('Cae3'), rqi: 'spoof-v4' })); // PUBACK ok
      await ae.publish('/oneM2M/reg_req/12-dev1@m2msec.org/id-in/json', JSON.stringify({ ...get('C'), rqi: 'reg-v4' }));
      // A marker after them on the same connection: once its response is back, the broker has long
      // processed (and dropped) the two before it.
      await ae.publish('/oneM2M/req/Cae2/id-in/json', JSON.stringify({ ...get('Cae2'), rqi: 'marker-v4' }));
      await until(() => received.includes('marker-v4'), 5000, 'marker response');
      expect(reached).toEqual(['marker-v4 /id-in/Cae2']);
      expect(received).toEqual(['marker-v4']);
    } finally {
      await ae.close();
    }
  });

  it("a client subscribed to another AE's response topic receives nothing of it", async () => {
    const eve = await MqttConnection.connect(certConnect(w.broker, 'Cae2', 'A::eve'));
    const eavesdropped: string[] = [];
    // mosquitto 2.0.11 grants the SUBACK and filters at delivery time (read ACL).
    await eve.subscribe('/oneM2M/resp/Cae4/+/+', (t) => eavesdropped.push(t));
    await eve.subscribe('/oneM2M/req/+/id-in/+', (t) => eavesdropped.push(t));
    await eve.subscribe('/oneM2M/reg_resp/+/id-in/+', (t) => eavesdropped.push(t));
    const ae4 = await MqttOriginator.open({
      originator: 'Cae4',
      receiver: cseId,
      connect: certConnect(w.broker, 'Cae4', 'A::Cae4'),
    });
    try {
      const rsp = await ae4.send({
        op: 1,
        to: 'cse-in',
        fr: 'Cae4',
        rqi: 'ae4-reg',
        rvi: '3',
        ty: 2,
        pc: { 'm2m:ae': { api: 'Nae4', rr: false, srv: ['3'] } },
      });
      expect(rsp.rsc).toBe(2001);
      const second = await ae4.send({ op: 2, to: 'cse-in/Cae4', fr: 'Cae4', rqi: 'ae4-get', rvi: '3' });
      expect(second.rsc).toBe(2000);
      // Give any stray delivery time to arrive after Cae4 got both of its own.
      await new Promise((r) => setTimeout(r, 300));
      expect(eavesdropped).toEqual([]);
    } finally {
      await ae4.close();
      await eve.close();
    }
  });
});
