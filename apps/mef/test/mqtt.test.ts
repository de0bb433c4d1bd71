// The MEF process with the `mqtt` switch (docs/mef.md "Mmef over MQTT"): the Mmef procedures through a
// private mosquitto (infra/mosquitto configuration: certificate listener, CN = username, topic ACL); a
// MEF client registers over MQTT under the identity the broker proved, and a foreign From gets 4106.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientIdForCse, MqttOriginator } from '@m2msec/binding-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../../../packages/binding-mqtt/test/helpers/broker.js';
import { MEF_FQDN, type MefProcess, startMefProcess, tmp } from './helpers.js';

let broker: TestBroker;
let mef: MefProcess;
let client: MqttOriginator;

beforeAll(async () => {
  broker = await startBroker();
  const pem = broker.pki.client('id-mef');
  chmodSync(pem.keyFile, 0o600); // a private key must be owner-only or the MEF refuses to start
  const config = join(tmp('m2msec-mef-mqtt-'), 'mef.json');
  writeFileSync(
    config,
    JSON.stringify({
      mqtt: {
        url: broker.tlsUrl,
        ca: broker.pki.caFile,
        cert: pem.certFile,
        key: pem.keyFile,
        receiverId: '/id-mef',
        spId: 'm2msec.org',
      },
    }),
  );
  mef = await startMefProcess({ M2MSEC_MEF_CONFIG: config });
  const mn = broker.pki.client('id-mn');
  client = await MqttOriginator.open({
    originator: 'id-mn',
    receiver: '/id-mef',
    connect: {
      url: broker.tlsUrl,
      clientId: clientIdForCse('/id-mn'),
      tls: { ca: broker.pki.ca, cert: mn.cert, key: mn.key },
      reconnectPeriodMs: 0,
    },
    timeoutMs: 15_000,
  });
}, 120_000);

afterAll(async () => {
  await client?.close();
  await mef?.stop();
  await broker?.stop();
});

const registration = (fr: string, rqi: string) => ({
  op: 1 as const,
  to: '/mef/mefClientReg',
  fr,
  rqi,
  rvi: '3',
  pc: { mefFQDN: MEF_FQDN, expirationTime: new Date(Date.now() + 3_600_000).toISOString(), adminFQDN: 'sp.m2msec.org' },
});

describe('MEF process with mqtt configured', () => {
  it('names the broker in its ready line and registers a MEF client over MQTT; a foreign From gets 4106', async () => {
    expect((mef.urls as { mqtt?: string }).mqtt).toBe(broker.tlsUrl);
    const ok = await client.send(registration('/id-mn', 'mef-app-1'));
    expect(ok.rsc, JSON.stringify(ok)).toBe(2001);
    expect(ok.pc).toMatchObject({ mefClientID: 'mqtt://m2msec.org/id-mn' });
    const spoofed = await client.send(registration('/id-in', 'mef-app-2'));
    expect(spoofed.rsc).toBe(4106);
  });
});
