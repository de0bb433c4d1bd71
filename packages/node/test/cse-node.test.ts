// createCseNode in-process (issue 11 item 1): an IN-CSE and an MN-CSE composed by the one composition,
// driven over HTTP and over MQTT through a private mosquitto (TLS, client certificates, topic ACL as
// infra/mosquitto writes it). The MN-CSE registers to the IN-CSE over TLS-PSK with its Kpsa
// (TS-0003 8.2.2.1) and offers AEs the same SAEF listener: an AE with a provisioned Kpsa reaches it
// over TLS-PSK, one with a wrong key does not.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import { clientIdForAe, MqttOriginator } from '@m2msec/binding-mqtt';
import type { RequestPrimitive } from '@m2msec/protocol';
import { createSaefAgent } from '@m2msec/saef';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type TestBroker } from '../../binding-mqtt/test/helpers/broker.js';
import { type CseNode, type CseNodeConfig, createCseNode, inCseDefaults } from '../src/index.js';

const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

let broker: TestBroker;
let inCse: CseNode;
let mnCse: CseNode;
const mnKpsa = randomBytes(32);
const aeKpsa = randomBytes(32);
let rqi = 0;
const req = (r: Omit<RequestPrimitive, 'rqi' | 'rvi'>): RequestPrimitive => ({ ...r, rqi: `r${++rqi}`, rvi: '3' });
const http = new HttpRequestSender({ timeoutMs: 10_000 });

async function nodeConfig(o: {
  cseId: string;
  cseBaseName: string;
  mqttCert: { certFile: string; keyFile: string };
}): Promise<CseNodeConfig> {
  const d = structuredClone(inCseDefaults);
  return {
    ...d,
    cse: { ...d.cse, cseId: o.cseId, cseBaseName: o.cseBaseName, expirySweepMs: 0 },
    dataDir: tmp('m2msec-node-data-'),
    http: { ...d.http, port: await freePort() },
    security: {
      ...d.security,
      // The KEK outside the data directory it protects (docs/hardening.md).
      keyFile: join(tmp('m2msec-node-kek-'), 'kek'),
      derivedKey: false,
      psk: { host: '127.0.0.1', port: await freePort(), tls13: false },
    },
    mqtt: {
      url: broker.tlsUrl,
      ca: broker.pki.caFile,
      cert: o.mqttCert.certFile,
      key: o.mqttCert.keyFile,
    },
    log: { level: 'silent' },
  };
}

beforeAll(async () => {
  broker = await startBroker({
    cses: [
      { username: 'id-in', cseId: '/id-in' },
      { username: 'id-mn', cseId: '/id-mn' },
    ],
  });
  const silent = pino({ level: 'silent' });
  inCse = await createCseNode(
    await nodeConfig({ cseId: '/id-in', cseBaseName: 'cse-in', mqttCert: broker.pki.client('id-in') }),
    { log: silent },
  );
  // The MN-CSE's Kpsa at the IN-CSE, its Credential-ID bound to the MN-CSE's CSE-ID (TS-0003 8.2.1).
  await inCse.security.credentials.addKey('Kpsa', { credentialId: 'kpsa-mn', owner: 'test', suid: 12 }, mnKpsa);
  inCse.security.kpsa.refresh();
  await inCse.security.bindings.set('12-kpsa-mn', { kind: 'cse', cseId: '/id-mn' });
  await inCse.start();

  const mnConfig = await nodeConfig({ cseId: '/id-mn', cseBaseName: 'cse-mn', mqttCert: broker.pki.client('id-mn') });
  mnCse = await createCseNode(
    {
      ...mnConfig,
      registration: {
        appRules: [
          ...mnConfig.registration.appRules,
          // TS-0001 9.6.29: AEs over the Kpsa association register by their Credential-ID.
          { name: 'kpsa-aes', applicableCredIDs: ['12-kpsa-ae1'], allowedAppIDs: ['Nnode'], allowedAEs: ['*'] },
        ],
      },
      registrar: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        url: inCse.listeners.psk!.url,
        framework: { kind: 'psk', identity: 'kpsa-mn', key: mnKpsa },
        retryMs: 200,
      },
    },
    { log: silent },
  );
  // An AE's Kpsa at the MN-CSE (the provisioned symmetric key SAEF, as `credentials add-psk` stores it).
  await mnCse.security.credentials.addKey('Kpsa', { credentialId: 'kpsa-ae1', owner: 'test', suid: 12 }, aeKpsa);
  mnCse.security.kpsa.refresh();
  await mnCse.start();
  await mnCse.whenRegistered(30_000);
}, 120_000);

afterAll(async () => {
  await mnCse?.stop();
  await inCse?.stop();
  http.close();
  await broker?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('createCseNode: IN-CSE', () => {
  it('answers over HTTP: RETRIEVE <CSEBase>, CREATE <AE>', async () => {
    const cb = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in', fr: 'CAdmin' }));
    expect(cb.rsc).toBe(2000);
    expect((cb.pc as { 'm2m:cb': { csi: string; cst: number } })['m2m:cb']).toMatchObject({ csi: '/id-in', cst: 1 });
    const ae = await http.send(
      inCse.listeners.http!.url,
      req({ op: 1, to: 'cse-in', fr: 'Chttp-in', ty: 2, pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } } }),
    );
    expect(ae.rsc).toBe(2001);
  });

  it('serves the MQTT binding by configuration: an AE registers and reads its <AE> over the broker', async () => {
    const { cert, key } = broker.pki.client('Cmqtt-in');
    const ae = await MqttOriginator.open({
      originator: 'Cmqtt-in',
      receiver: '/id-in',
      connect: { url: broker.tlsUrl, clientId: clientIdForAe('Cmqtt-in'), tls: { ca: broker.pki.ca, cert, key } },
    });
    try {
      const created = await ae.send(
        req({ op: 1, to: 'cse-in', fr: 'Cmqtt-in', ty: 2, pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } } }),
      );
      expect(created.rsc).toBe(2001);
      const got = await ae.send(req({ op: 2, to: 'cse-in/Cmqtt-in', fr: 'Cmqtt-in' }));
      expect(got.rsc).toBe(2000);
      expect((got.pc as { 'm2m:ae': { aei: string } })['m2m:ae'].aei).toBe('Cmqtt-in');
    } finally {
      await ae.close();
    }
  });

  it('holds the <remoteCSE> of the MN-CSE, which registered over TLS-PSK', async () => {
    expect(mnCse.registration?.state).toBe('registered');
    const csr = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in/id-mn', fr: 'CAdmin' }));
    expect(csr.rsc).toBe(2000);
    expect((csr.pc as { 'm2m:csr': { csi: string } })['m2m:csr'].csi).toBe('/id-mn');
  });
});

describe('createCseNode: MN-CSE', () => {
  it('answers over HTTP as an MN-CSE registered to the IN-CSE', async () => {
    const cb = await http.send(mnCse.listeners.http!.url, req({ op: 2, to: 'cse-mn', fr: 'CAdmin' }));
    expect(cb.rsc).toBe(2000);
    expect((cb.pc as { 'm2m:cb': { csi: string; cst: number } })['m2m:cb']).toMatchObject({ csi: '/id-mn', cst: 2 });
  });

  it('serves the MQTT binding: an AE registers at the MN-CSE over the broker', async () => {
    const { cert, key } = broker.pki.client('Cmqtt-mn');
    const ae = await MqttOriginator.open({
      originator: 'Cmqtt-mn',
      receiver: '/id-mn',
      connect: { url: broker.tlsUrl, clientId: clientIdForAe('Cmqtt-mn'), tls: { ca: broker.pki.ca, cert, key } },
    });
    try {
      const created = await ae.send(
        req({ op: 1, to: 'cse-mn', fr: 'Cmqtt-mn', ty: 2, pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } } }),
      );
      expect(created.rsc).toBe(2001);
    } finally {
      await ae.close();
    }
  });

  it('an AE with a provisioned Kpsa reaches the MN-CSE over TLS-PSK; the session carries its Credential-ID', async () => {
    const agent = createSaefAgent({ kind: 'psk', identity: 'kpsa-ae1', key: aeKpsa });
    const psk = new HttpRequestSender({ timeoutMs: 10_000, httpsAgent: agent });
    try {
      const created = await psk.send(
        mnCse.listeners.psk!.url,
        req({ op: 1, to: 'cse-mn', fr: 'Cpsk-ae1', ty: 2, pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } } }),
      );
      expect(created.rsc).toBe(2001);
      // The registration bound the AE-ID to the association's credential (TS-0003 7.2.1).
      expect(mnCse.security.bindings.boundIdsSync('12-kpsa-ae1')).toContain('/id-mn/Cpsk-ae1');
      // The bound AE-ID is refused from the plain listener (it is only ever used inside its association).
      const plain = await http.send(mnCse.listeners.http!.url, req({ op: 2, to: 'cse-mn/Cpsk-ae1', fr: 'Cpsk-ae1' }));
      expect(plain.rsc).toBe(4106);
      const got = await psk.send(mnCse.listeners.psk!.url, req({ op: 2, to: 'cse-mn/Cpsk-ae1', fr: 'Cpsk-ae1' }));
      expect(got.rsc).toBe(2000);
    } finally {
      psk.close();
      agent.destroy();
    }
  });

  it('an AE with a wrong key gets no session at the MN-CSE', async () => {
    const agent = createSaefAgent({ kind: 'psk', identity: 'kpsa-ae1', key: randomBytes(32) });
    const psk = new HttpRequestSender({ timeoutMs: 10_000, httpsAgent: agent });
    try {
      await expect(psk.send(mnCse.listeners.psk!.url, req({ op: 2, to: 'cse-mn', fr: 'Cpsk-ae1' }))).rejects.toThrow();
    } finally {
      psk.close();
      agent.destroy();
    }
  });
});
