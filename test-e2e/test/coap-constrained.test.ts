// Issue 15, constrained-device scenario: an AE speaks CoAP over DTLS-PSK (TS-0008) to an MN-CSE that
// embeds the CoAP binding in front of its handler; the MN-CSE is registered to the IN-CSE process over
// TLS-PSK, and the AE's contentInstance reaches a container on the IN-CSE through it.
import { randomBytes } from 'node:crypto';
import { ReferenceAe } from '@m2msec/ae';
import { type CoapBinding, createCoapBinding } from '@m2msec/binding-coap';
import { createMnCse, type MnCse } from '@m2msec/mn-cse';
import { TestCa } from '@m2msec/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/net/ports.js';
import { Topology } from '../src/net/topology.js';
import { type InCseNode, startInCse } from '../src/nodes/in-cse.js';
import { pgUrl } from '../src/world.js';

const kpsaId = 'kpsa-mn-coap@mef.m2msec.org';
const kpsa = randomBytes(32);
const deviceId = 'device-1';
const deviceKey = randomBytes(32);
const schema = `e2e_coap_${randomBytes(3).toString('hex')}`;
let topo: Topology;
let inCse: InCseNode;
let mn: MnCse;
let coap: CoapBinding;
let coapUrl: string;

beforeAll(async () => {
  topo = new Topology('loopback');
  topo.addNode('in');
  const ca = new TestCa('coap-e2e');
  const pskPort = await freePort();
  inCse = await startInCse(topo, {
    node: 'in',
    httpPort: await freePort(),
    certPort: await freePort(),
    pskPort,
    pgUrl,
    pgSchema: schema,
    server: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
    caFile: ca.certPath,
    admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
    appRules: [],
    credentials: [
      { args: ['add-psk', '--id', kpsaId, '--key-file', '-', '--bind', '/id-mn'], input: kpsa.toString('hex') },
    ],
  });
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: ['http://127.0.0.1:1'],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: `https://127.0.0.1:${pskPort}`,
      framework: { kind: 'psk', identity: kpsaId, key: kpsa },
      retryMs: 300,
    },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  await mn.start();
  await mn.whenRegistered(60_000);
  // The gateway embeds the CoAP binding in front of the MN-CSE's handler; its devices hold PSKs.
  coap = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => (id.toString() === deviceId ? deviceKey : undefined),
    handler: mn.handler,
  });
  coapUrl = `coaps://127.0.0.1:${(await coap.listen()).port}`;
}, 120_000);

afterAll(async () => {
  await coap?.close();
  await mn?.stop();
  await inCse?.proc.stop();
  topo?.destroy();
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe('constrained device: AE over CoAP/DTLS -> MN-CSE -> IN-CSE', () => {
  it("the AE registers at the MN-CSE over coaps and its reading lands in the IN-CSE's container", async () => {
    const admin = inCse.admin;
    await admin('POST', '/cse-in', {
      ty: 1,
      body: {
        'm2m:acp': {
          rn: 'coapAcp',
          pv: { acr: [{ acor: ['/id-mn/Ccoapdev'], acop: 3 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
    });
    expect(
      (await admin('POST', '/cse-in', { ty: 3, body: { 'm2m:cnt': { rn: 'coapdata', acpi: ['cse-in/coapAcp'] } } }))
        .rsc,
    ).toBe(2001);
    const ae = new ReferenceAe({
      registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
      transport: { kind: 'coap', url: coapUrl, psk: { identity: deviceId, key: deviceKey } },
      stem: 'Ccoapdev',
      appId: 'Nsensor',
      postTo: '/id-in/cse-in/coapdata',
    });
    await ae.start();
    expect(ae.aeId).toBe('/id-mn/Ccoapdev');
    const up = await ae.post('over-coap');
    expect(up.rsc, JSON.stringify(up.pc)).toBe(2001);
    expect((await admin('GET', '/cse-in/coapdata/la')).body['m2m:cin'].con).toBe('over-coap');
    await ae.close();
  });
});
