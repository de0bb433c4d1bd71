// The MAF process with the `mqtt` switch (docs/maf.md "Mmaf over MQTT"): it serves the Mmaf procedures
// through a private mosquitto (infra/mosquitto configuration: certificate listener, CN = username, topic
// ACL) as well as over its TLS-PSK listener; a MAF client registers over MQTT under the identity the
// broker proved, and a From naming someone else is refused.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientIdForCse, MqttOriginator } from '@m2msec/binding-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../../../packages/binding-mqtt/test/helpers/broker.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
let broker: TestBroker;
let child: ChildProcess;
let client: MqttOriginator;
let out = '';

beforeAll(async () => {
  broker = await startBroker();
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-maf-mqtt-'));
  const pem = broker.pki.client('id-maf');
  chmodSync(pem.keyFile, 0o600); // a private key must be owner-only or the MAF refuses to start
  const config = join(dir, 'maf.json');
  writeFileSync(
    config,
    JSON.stringify({
      mqtt: {
        url: broker.tlsUrl,
        ca: broker.pki.caFile,
        cert: pem.certFile,
        key: pem.keyFile,
        receiverId: '/id-maf',
        spId: 'm2msec.org',
      },
    }),
  );
  child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      M2MSEC_MAF_CONFIG: config,
      M2MSEC_MAF_DATA_DIR: join(dir, 'data'),
      M2MSEC_MAF_PSK_PORT: '0',
      M2MSEC_MAF_ADMIN_PORT: '0',
      M2MSEC_MAF_ADMIN_TOKEN: 'maf-mqtt-test-token',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"MAF ready"')) {
    if (child.exitCode !== null) throw new Error(`MAF exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`MAF did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const mn = broker.pki.client('id-mn');
  client = await MqttOriginator.open({
    originator: 'id-mn',
    receiver: '/id-maf',
    connect: {
      url: broker.tlsUrl,
      clientId: clientIdForCse('/id-mn'),
      tls: { ca: broker.pki.ca, cert: mn.cert, key: mn.key },
      reconnectPeriodMs: 0,
    },
    timeoutMs: 15_000,
  });
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await broker?.stop();
});

const registration = (fr: string, rqi: string) => ({
  op: 1 as const,
  to: '/maf/mafClientReg',
  fr,
  rqi,
  rvi: '3',
  pc: {
    mafFQDN: 'maf.m2msec.org',
    expirationTime: new Date(Date.now() + 3_600_000).toISOString(),
    adminFQDN: 'sp.m2msec.org',
  },
});

describe('MAF process with mqtt configured', () => {
  it('names the broker in its ready line', () => {
    const ready = JSON.parse(out.split('\n').find((l) => l.includes('"MAF ready"'))!);
    expect(ready.urls.mqtt).toBe(broker.tlsUrl);
    expect(ready.urls.psk).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('registers a MAF client over MQTT under the broker-proven identity; a foreign From gets 4106', async () => {
    const ok = await client.send(registration('/id-mn', 'app-1'));
    expect(ok.rsc, JSON.stringify(ok)).toBe(2001);
    expect(ok.pc).toMatchObject({ mafClientID: '//m2msec.org/id-mn', adminFQDN: 'sp.m2msec.org' });
    const spoofed = await client.send(registration('/id-in', 'app-2'));
    expect(spoofed.rsc).toBe(4106);
  });
});
