// reg_req with a broker-authenticated Credential-ID (TS-0010 6.4.4, 7.2), then req/resp under the
// assigned AE-ID, against a real Cse behind the binding on a private mosquitto.
import type { RequestPrimitive, TransportContext } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdForAe, MqttConnection, MqttOriginator, type MqttRegistration } from '../src/index.js';
import { certConnect, cseId, openWorld, pskConnect, type World } from './helpers/world.js';

let w: World;
const seen: TransportContext[] = [];
const registrations: MqttRegistration[] = [];
let n = 0;
const rqi = () => `t${++n}`;

beforeAll(async () => {
  w = await openWorld();
  await w.binding.close();
  await w.startBinding({
    handler: (req, t) => {
      seen.push(t);
      return w.cse.handle(req, t);
    },
    // The operator's hook: tell the broker the new AE-ID belongs to this credential (TS-0010 7.4).
    onRegistration: async (r) => {
      registrations.push(r);
      await w.broker.reloadAcl(
        [{ username: 'id-in', cseId }],
        registrations.map((x) => ({ username: x.credentialId, ids: [x.aeId] })),
      );
    },
  });
});
afterAll(() => w?.close());

const registerAe = (fr: string): RequestPrimitive => ({
  op: 1,
  to: 'cse-in',
  fr,
  rqi: rqi(),
  rvi: '3',
  ty: 2,
  pc: { 'm2m:ae': { api: 'Ndev', rr: false, srv: ['3'] } },
});

describe('first registration over TLS-PSK (reg_req / reg_resp)', () => {
  let aeId: string;

  it('registers through reg_req; the CSE sees the Credential-ID the broker authenticated', async () => {
    const credentialId = '12-dev1@m2msec.org';
    const dev = await MqttOriginator.open({
      credentialId,
      receiver: cseId,
      connect: pskConnect(w.broker, credentialId, `reg::${credentialId}`),
    });
    try {
      const rsp = await dev.register(registerAe('C'));
      expect(rsp.rsc, rsp.dbg).toBe(2001);
      aeId = (rsp.pc as { 'm2m:ae': { aei: string } })['m2m:ae'].aei;
      expect(aeId).toMatch(/^C/);
      expect(seen.at(-1)).toEqual({
        binding: 'mqtt',
        mqtt: { credentialId },
        association: { boundIds: [], credentialId, framework: 'mqtt-broker' },
      });
      expect(registrations).toEqual([{ credentialId, aeId }]);
    } finally {
      await dev.close();
    }
  });

  it('then uses req / resp under its AE-ID; From must be that AE-ID (4106 otherwise)', async () => {
    const ae = await MqttOriginator.open({
      originator: aeId,
      receiver: cseId,
      connect: pskConnect(w.broker, '12-dev1@m2msec.org', clientIdForAe(aeId)),
    });
    try {
      const own = await ae.send({ op: 2, to: `cse-in/${aeId}`, fr: aeId, rqi: rqi(), rvi: '3' });
      expect(own.rsc, own.dbg).toBe(2000);
      expect((own.pc as { 'm2m:ae': { aei: string } })['m2m:ae'].aei).toBe(aeId);
      expect(seen.at(-1)?.association).toEqual({ boundIds: [`${cseId}/${aeId}`], framework: 'mqtt-broker' });

      const spoofed = await ae.send({ op: 2, to: `cse-in/${aeId}`, fr: 'Cvictim', rqi: rqi(), rvi: '3' });
      expect(spoofed.rsc).toBe(4106);
      expect(spoofed.dbg).toMatch(/not an identity bound to this security association/);
    } finally {
      await ae.close();
    }
  });

  it('a credential no <serviceSubscribedAppRule> lists cannot register (4126)', async () => {
    const dev2 = await MqttOriginator.open({
      credentialId: '12-dev2@m2msec.org',
      receiver: cseId,
      connect: pskConnect(w.broker, '12-dev2@m2msec.org', 'reg::12-dev2@m2msec.org'),
    });
    try {
      const rsp = await dev2.register(registerAe('C'));
      expect(rsp.rsc).toBe(4126);
      expect(rsp.dbg).toMatch(/12-dev2@m2msec.org/);
    } finally {
      await dev2.close();
    }
  });

  it('issue 12: reg_req asking for the administrator originator is refused (4126), nothing is bound', async () => {
    const credentialId = '12-dev1@m2msec.org';
    const before = registrations.length;
    const dev = await MqttOriginator.open({
      credentialId,
      receiver: cseId,
      connect: pskConnect(w.broker, credentialId, `reg::${credentialId}:admin`),
    });
    try {
      for (const fr of ['CAdmin', `${cseId}/CAdmin`]) {
        const rsp = await dev.register(registerAe(fr));
        expect(rsp.rsc, rsp.dbg).not.toBe(2001);
        expect([4126, 4000]).toContain(rsp.rsc);
      }
      expect((await dev.register(registerAe('CAdmin'))).dbg).toMatch(/reserved/);
      expect(registrations).toHaveLength(before);
    } finally {
      await dev.close();
    }
  });

  it('before the broker knows an AE-ID, the credential cannot publish under it (MQTT 5: PUBACK 0x87)', async () => {
    const conn = await MqttConnection.connect(
      pskConnect(w.broker, '12-dev2@m2msec.org', 'probe::dev2', { protocolVersion: 5 }),
    );
    try {
      await expect(conn.publish(`/oneM2M/req/${aeId}/id-in/json`, '{}')).rejects.toMatchObject({ code: 0x87 });
    } finally {
      await conn.close();
    }
  });
});

describe('certificate clients publish under their certificate identity', () => {
  it('registers with its own stem through req, retrieves, and cannot claim another From', async () => {
    const ae = await MqttOriginator.open({
      originator: 'Cae2',
      receiver: cseId,
      connect: certConnect(w.broker, 'Cae2', 'A::Cae2'),
    });
    try {
      const reg = await ae.send(registerAe('Cae2'));
      expect(reg.rsc, reg.dbg).toBe(2001);
      expect(seen.at(-1)?.association?.boundIds).toEqual(['/id-in/Cae2']);
      const get = await ae.send({ op: 2, to: 'cse-in/Cae2', fr: 'Cae2', rqi: rqi(), rvi: '3' });
      expect(get.rsc).toBe(2000);
      const again = await ae.send(registerAe('Cae2'));
      expect(again.rsc).toBe(4117);
      const other = await ae.send(registerAe('Cae3'));
      expect(other.rsc).toBe(4106);
      const admin = await ae.send({ op: 2, to: 'cse-in', fr: 'CAdmin', rqi: rqi(), rvi: '3' });
      expect(admin.rsc).toBe(4106);
    } finally {
      await ae.close();
    }
  });
});
