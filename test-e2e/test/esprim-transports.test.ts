// ESPrim over MQTT and CoAP, unchanged (TS-0003 8.4; TS-0004 7.6.2), with the MN-CSE process as ESPrim
// Target by its configuration (endToEnd.esprim.keys) and the AE app as its own process with
// transport.kind "coap" (DTLS-PSK to the MN-CSE's CoAP listener) and "mqtt" (TLS-PSK to mosquitto, the
// MN-CSE behind it over its certificate). The <container> at the MN-CSE grants its AEs access only with
// acaf. The MN-CSE is the AEs' Registrar, so their hop-by-hop association already authenticates them: the
// same request passes without ESPrim and with it; that it really travelled as an ESPrim Object over CoAP /
// MQTT shows in the AE with a wrong pairwiseESPrimKey, which the Target refuses.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/net/ports.js';
import { Topology } from '../src/net/topology.js';
import { type AeNode, startAe } from '../src/nodes/ae.js';
import { type BrokerNode, startBroker } from '../src/nodes/broker.js';
import { mnCseMain } from '../src/nodes/mn-cse.js';
import { type NodeProcess, startProcess, until } from '../src/nodes/process.js';

const coapAe = { stem: 'Ccoap', id: '/id-mn/Ccoap', kid: 'coap-mn@mef.m2msec.org', key: randomBytes(32) };
const mqttAe = { stem: 'Cmqtt', id: '/id-mn/Cmqtt', kid: 'mqtt-mn@mef.m2msec.org', key: randomBytes(32) };
const coapPsk = { identity: 'kpsa-coap-esprim@mef.m2msec.org', key: randomBytes(32) };
const mqttPsk = { identity: '12-mqtt-esprim@m2msec.org', key: randomBytes(32) };

let dir: string;
let topo: Topology;
let broker: BrokerNode;
let mn: NodeProcess;
let mnUrl: string;
let coapPort: number;
const aes: AeNode[] = [];

function secret(name: string, content: string): string {
  const f = join(dir, name);
  writeFileSync(f, content, { mode: 0o600 });
  chmodSync(f, 0o600);
  return f;
}

async function m2m(method: string, path: string, from: string, ty?: number, body?: unknown) {
  const r = await fetch(mnUrl + path, {
    method,
    headers: {
      'X-M2M-Origin': from,
      'X-M2M-RI': randomBytes(4).toString('hex'),
      'X-M2M-RVI': '3',
      Accept: 'application/json',
      'Content-Type': `application/json${ty ? `;ty=${ty}` : ''}`,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return Number(r.headers.get('X-M2M-RSC'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-esprim-transports-'));
  topo = new Topology('loopback');
  for (const n of ['broker', 'mn', 'ae-coap', 'ae-mqtt']) topo.addNode(n);
  const ca = new TestCa('esprim-transports');
  const brokerCert = ca.issue({ san: 'DNS:broker.m2msec.org', usage: 'server', cn: 'broker.m2msec.org' });
  const mnMqtt = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client', cn: 'id-mn' });
  chmodSync(mnMqtt.keyPath, 0o600);
  broker = await startBroker(topo, {
    node: 'broker',
    caFile: ca.certPath,
    server: brokerCert,
    servername: 'broker.m2msec.org',
    psk: [{ identity: mqttPsk.identity, keyHex: mqttPsk.key.toString('hex') }],
    cses: [{ username: 'id-mn', cseId: '/id-mn' }],
    clients: [{ username: mqttPsk.identity, ids: [mqttAe.stem] }],
    tlsPort: await freePort(),
    pskPort: await freePort(),
  });
  const httpPort = await freePort();
  coapPort = await freePort();
  mnUrl = `http://127.0.0.1:${httpPort}`;
  const mnBrokerUrl = `mqtts://127.0.0.1:${broker.tlsPort}`;
  const config = join(dir, 'mn.json');
  writeFileSync(
    config,
    JSON.stringify({
      profile: 'development',
      cse: { cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      http: { host: '127.0.0.1', port: httpPort, maxBodyBytes: 1048576 },
      dataDir: join(dir, 'mn-data'),
      // A registrar that is not there: registration retries in the background; this test needs only the MN.
      registrar: {
        url: `https://127.0.0.1:${await freePort()}`,
        retryMs: 60_000,
        psk: { identity: 'mn', keyFile: secret('registrar.hex', randomBytes(32).toString('hex')) },
      },
      mqtt: {
        url: mnBrokerUrl,
        ca: ca.certPath,
        cert: mnMqtt.certPath,
        key: mnMqtt.keyPath,
        servername: 'broker.m2msec.org',
      },
      coap: {
        host: '127.0.0.1',
        port: coapPort,
        psk: [
          { identity: coapPsk.identity, keyFile: secret('coap.hex', coapPsk.key.toString('hex')), bind: [coapAe.stem] },
        ],
      },
      registration: {
        appRules: [
          {
            name: 'devices',
            applicableCredIDs: [`12-${coapPsk.identity}`, mqttPsk.identity],
            allowedAppIDs: ['*'],
            allowedAEs: ['*'],
          },
        ],
      },
      endToEnd: {
        esprim: {
          keys: [
            { kid: coapAe.kid, identity: coapAe.id, keyFile: secret('coap.esprim', coapAe.key.toString('base64')) },
            { kid: mqttAe.kid, identity: mqttAe.id, keyFile: secret('mqtt.esprim', mqttAe.key.toString('base64')) },
          ],
        },
      },
      log: { level: 'info' },
    }),
  );
  mn = startProcess(topo, 'mn', 'mn-cse', process.execPath, [mnCseMain], { M2MSEC_CONFIG: config });
  await until('MN-CSE ready', async () => {
    if (mn.exited) throw new Error(`mn-cse exited: ${mn.output()}`);
    return /MN-CSE ready/.test(mn.output());
  });
  // A container whose only rule for the two AEs demands an authenticated originator (acaf).
  const acp = {
    'm2m:acp': {
      rn: 'acpAuth',
      pv: { acr: [{ acor: [coapAe.id, mqttAe.id], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect(await m2m('POST', '/cse-mn', 'CAdmin', 1, acp)).toBe(2001);
  expect(await m2m('POST', '/cse-mn', 'CAdmin', 3, { 'm2m:cnt': { rn: 'data', acpi: ['cse-mn/acpAuth'] } })).toBe(2001);
}, 120_000);

afterAll(async () => {
  for (const a of aes) await a.stop();
  await mn?.stop();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function aeConfig(ae: typeof coapAe, transport: Record<string, unknown>, withEsprim: boolean, esprimKey = ae.key) {
  return {
    registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
    transport,
    stem: ae.stem,
    appId: 'Nt',
    requestTimeoutMs: 20_000,
    ...(withEsprim
      ? {
          endToEnd: {
            esprim: {
              kid: ae.kid,
              keyFile: secret(`${ae.stem}-${randomBytes(3).toString('hex')}.key`, esprimKey.toString('base64')),
              targetCseBase: '/id-mn/cse-mn',
            },
          },
        }
      : {}),
  };
}

const coapTransport = () => ({
  kind: 'coap',
  url: `coaps://127.0.0.1:${coapPort}`,
  psk: {
    identity: coapPsk.identity,
    keyFile: secret(`coap-ae-${randomBytes(3).toString('hex')}.hex`, coapPsk.key.toString('hex')),
  },
});
const mqttTransport = () => ({
  kind: 'mqtt',
  url: `mqtts://127.0.0.1:${broker.pskPort}`,
  psk: {
    identity: mqttPsk.identity,
    keyFile: secret(`mqtt-ae-${randomBytes(3).toString('hex')}.hex`, mqttPsk.key.toString('hex')),
  },
  poa: [`mqtts://127.0.0.1:${broker.tlsPort}`],
});

describe('ESPrim over CoAP and MQTT, the MN-CSE process as Target', () => {
  it('e2eSecInfo of the MN-CSE <CSEBase> lists pre-provisioned ESPrim keys (SUID 13)', async () => {
    const r = await fetch(`${mnUrl}/cse-mn`, {
      headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'e1', 'X-M2M-RVI': '3', Accept: 'application/json' },
    });
    expect(((await r.json()) as { 'm2m:cb': { esi?: unknown } })['m2m:cb'].esi).toEqual({ esf: [13] });
  });

  it.each([
    ['coap', coapAe, coapTransport],
    ['mqtt', mqttAe, mqttTransport],
  ] as const)(
    'AE app over %s: 2000 with ESPrim (as without it, at the Registrar); a wrong key is refused',
    async (_kind, ae, transport) => {
      const plain = await startAe(topo, `ae-${_kind}`, `${ae.stem}-plain`, aeConfig(ae, transport(), false));
      aes.push(plain);
      expect(plain.aeId).toBe(ae.id);
      expect((await plain.request({ op: 2, to: '/id-mn/cse-mn/data' })).rsc).toBe(2000);
      await plain.stop();

      const protectedAe = await startAe(topo, `ae-${_kind}`, `${ae.stem}-esprim`, aeConfig(ae, transport(), true));
      aes.push(protectedAe);
      const got = await protectedAe.request({ op: 2, to: '/id-mn/cse-mn/data' });
      expect(got.rsc, got.dbg).toBe(2000);
      expect(got.pc['m2m:cnt'].rn).toBe('data');
      const posted = await protectedAe.post({ reading: 7 }, '/id-mn/cse-mn/data');
      expect(posted.rsc, posted.dbg).toBe(2001);
      await protectedAe.stop();

      const wrong = await startAe(
        topo,
        `ae-${_kind}`,
        `${ae.stem}-wrong`,
        aeConfig(ae, transport(), true, randomBytes(32)),
      );
      aes.push(wrong);
      const refused = await wrong.request({ op: 2, to: '/id-mn/cse-mn/data' });
      expect(refused.rsc, refused.dbg).toBe(4115);
      await wrong.stop();
    },
  );
});
