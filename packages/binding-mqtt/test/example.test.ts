// The README example, run against a private mosquitto (certificate listener).
import { Cse } from '@m2msec/cse';
import { openSqliteStore } from '@m2msec/store';
import { expect, it } from 'vitest';
import { clientIdForAe, clientIdForCse, createMqttBinding, MqttOriginator } from '../src/index.js';
import { startBroker } from './helpers/broker.js';

it('README example: a CSE over MQTT, an AE registers and reads its <AE>', async () => {
  const broker = await startBroker({ cses: [{ username: 'id-in', cseId: '/id-in' }] });
  try {
    const ca = broker.pki.ca;
    const { cert: cseCert, key: cseKey } = broker.pki.client('id-in');
    const { cert: aeCert, key: aeKey } = broker.pki.client('Cae1');
    const url = broker.tlsUrl;

    const cse = await Cse.open({
      store: await openSqliteStore({ file: ':memory:' }),
      appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
      config: { expirySweepMs: 0 },
    });
    const binding = await createMqttBinding({
      handler: cse.handle,
      cseId: '/id-in',
      spId: 'm2msec.org',
      connect: { url, clientId: clientIdForCse('/id-in'), tls: { ca, cert: cseCert, key: cseKey } },
    });
    const ae = await MqttOriginator.open({
      originator: 'Cae1',
      receiver: '/id-in',
      connect: { url, clientId: clientIdForAe('Cae1'), tls: { ca, cert: aeCert, key: aeKey } },
    });
    const rsp = await ae.send({
      op: 1,
      to: 'cse-in',
      fr: 'Cae1',
      rqi: 'r1',
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nexample', rr: false, srv: ['3'] } },
    });
    expect(rsp.rsc).toBe(2001);
    const got = await ae.send({ op: 2, to: 'cse-in/Cae1', fr: 'Cae1', rqi: 'r2', rvi: '3' });
    expect(got.rsc).toBe(2000);
    await ae.close();
    await binding.close();
    await cse.stop();
  } finally {
    await broker.stop();
  }
});
