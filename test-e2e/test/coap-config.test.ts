// Issue 15, by configuration only: the IN-CSE process with a `coap` listener in its JSON configuration,
// and the reference AE process whose configuration says transport.kind "coap" with a Kpsa key file.
// The AE registers over CoAP/DTLS-PSK (the appRule names its Credential-ID), creates its container and
// posts; the operator reads the reading over HTTPS. The same AE configuration with the wrong key file
// never gets a session.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from '@m2msec/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/net/ports.js';
import { Topology } from '../src/net/topology.js';
import { startAe } from '../src/nodes/ae.js';
import { type InCseNode, startInCse } from '../src/nodes/in-cse.js';
import { pgUrl } from '../src/world.js';

const kpsaId = 'kpsa-coap-ae@mef.m2msec.org';
const kpsa = randomBytes(32);
const schema = `e2e_coapcfg_${randomBytes(3).toString('hex')}`;
let topo: Topology;
let inCse: InCseNode;
let coapPort: number;
let dir: string;

function aeConfig(keyHex: string, stem = 'Ccoapcfg'): Record<string, unknown> {
  const keyFile = join(dir, `${randomBytes(4).toString('hex')}.hex`);
  writeFileSync(keyFile, keyHex, { mode: 0o600 });
  return {
    registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
    transport: { kind: 'coap', url: `coaps://127.0.0.1:${coapPort}`, psk: { identity: kpsaId, keyFile } },
    stem,
    appId: 'Nsensor',
    container: { rn: 'readings', acp: [] },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-coapcfg-'));
  topo = new Topology('loopback');
  topo.addNode('in');
  topo.addNode('ae');
  const ca = new TestCa('coap-config-e2e');
  coapPort = await freePort();
  inCse = await startInCse(topo, {
    node: 'in',
    httpPort: await freePort(),
    certPort: await freePort(),
    coapPort,
    pgUrl,
    pgSchema: schema,
    server: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
    caFile: ca.certPath,
    admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
    appRules: [{ name: 'coap-ae', applicableCredIDs: [`12-${kpsaId}`], allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    credentials: [{ args: ['add-psk', '--id', kpsaId, '--key-file', '-'], input: kpsa.toString('hex') }],
  });
}, 120_000);

afterAll(async () => {
  await inCse?.proc.stop();
  topo?.destroy();
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe('AE process over CoAP/DTLS-PSK to the IN-CSE process, both from their configuration', () => {
  it('registers with its Kpsa, creates its container, posts; the operator reads the reading', async () => {
    const ae = await startAe(topo, 'ae', 'coap-ae', aeConfig(kpsa.toString('hex')));
    expect(ae.aeId).toBe('/id-in/Ccoapcfg');
    const up = await ae.post({ t: 19.5 });
    expect(up.rsc, JSON.stringify(up)).toBe(2001);
    const la = await inCse.admin('GET', '/cse-in/Ccoapcfg/readings/la');
    expect(la.rsc).toBe(2000);
    expect(JSON.parse(la.body['m2m:cin'].con)).toEqual({ t: 19.5 });
    await ae.stop();
  }, 60_000);

  it('the same configuration with a wrong key file gets no session and registers nothing', async () => {
    const wrong = aeConfig(randomBytes(32).toString('hex'), 'Ccoapwrong');
    await expect(startAe(topo, 'ae', 'coap-ae-wrong', wrong)).rejects.toThrow(/failed to start/);
    expect((await inCse.admin('GET', '/cse-in/Ccoapwrong')).rsc).toBe(4004);
  }, 60_000);
});
