// Issue 15: the MN-CSE process with a `coap` section in its configuration listens over CoAP/DTLS-PSK
// (TS-0008); libcoap's coap-client-openssl reaches it with a configured Kpsa. The PSK identity is the
// association: its bound originator registers an AE (secure profile, Mca required), a Kpsa bound to
// another originator cannot act as it (impersonation, 4.03), an unknown identity or a wrong key gets
// no session, and a Kpsa bound to an administrator principal is the administrator.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m2m } from './http.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
// Text keys: coap-client takes -k as text; the configuration holds them as hex.
const sensor = { id: 'kpsa-sensor@mef.m2msec.org', key: 'mn-coap-sensor-key-0123456789abcd' };
const other = { id: 'kpsa-other@mef.m2msec.org', key: 'mn-coap-other-key-0123456789abcde' };
const admin = { id: 'kpsa-admin@mef.m2msec.org', key: 'mn-coap-admin-key-0123456789abcde' };

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function coapClient(identity: string, key: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn('coap-client-openssl', ['-B', '4', '-u', identity, '-k', key, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', () => resolve(out));
  });
}

let child: ChildProcess | undefined;
let coapPort: number;
let httpUrl: string;
const uri = (path: string) => `coaps://127.0.0.1:${coapPort}${path}`;
const oneM2m = (from: string, rqi: string) => ['-O', `279,${from}`, '-O', `283,${rqi}`, '-O', '271,3'];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-mn-coap-'));
  const keyFile = (name: string, text: string) => {
    const f = join(dir, `${name}.hex`);
    writeFileSync(f, Buffer.from(text).toString('hex'), { mode: 0o600 });
    return f;
  };
  coapPort = await freePort();
  const httpPort = await freePort();
  httpUrl = `http://127.0.0.1:${httpPort}`;
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      profile: 'secure',
      administrators: [{ name: 'coap-admin', originator: 'CAdmin', credentialId: `12-${admin.id}` }],
      http: { host: '127.0.0.1', port: httpPort, maxBodyBytes: 1048576 },
      dataDir: dir,
      // A registrar that is not there: registration retries in the background, the listeners serve.
      registrar: {
        url: `https://127.0.0.1:${await freePort()}`,
        retryMs: 60_000,
        psk: { identity: 'mn', keyFile: keyFile('registrar', 'registrar-key-0123456789abcdef') },
      },
      coap: {
        host: '127.0.0.1',
        port: coapPort,
        responseOptions: 'coap-only',
        psk: [
          { identity: sensor.id, keyFile: keyFile('sensor', sensor.key), bind: ['Csensor'] },
          { identity: other.id, keyFile: keyFile('other', other.key), bind: ['Cother'] },
          { identity: admin.id, keyFile: keyFile('admin', admin.key) },
        ],
      },
      registration: {
        appRules: [{ name: 'sensor', applicableCredIDs: [`12-${sensor.id}`], allowedAppIDs: ['*'], allowedAEs: ['*'] }],
      },
    }),
  );
  child = spawn(process.execPath, [main], { env: { ...process.env, M2MSEC_CONFIG: file, M2MSEC_LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 20_000;
  while (!/MN-CSE ready/.test(out) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 100));
  if (!/MN-CSE ready/.test(out)) throw new Error(`mn-cse did not start: ${out}`);
  expect(out).toContain(`coaps://127.0.0.1:${coapPort}`);
  // The keys never reach the log.
  for (const k of [sensor, other, admin]) expect(out).not.toContain(Buffer.from(k.key).toString('hex'));
}, 30_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

const aeBody = JSON.stringify({ 'm2m:ae': { rn: 'sensor', api: 'Nsensor', rr: false, srv: ['3'] } });

describe('MN-CSE process with a coap configuration, reached by coap-client-openssl over DTLS-PSK', () => {
  it('the Kpsa bound to Csensor registers its AE over CoAP and reads it back', async () => {
    const created = await coapClient(sensor.id, sensor.key, [
      '-m',
      'post',
      ...oneM2m('Csensor', 'c-1'),
      '-O',
      '267,0x02',
      '-t',
      '50',
      '-e',
      aeBody,
      uri('/cse-mn'),
    ]);
    expect(created).toContain('"aei":"Csensor"');
    const read = await coapClient(sensor.id, sensor.key, [...oneM2m('Csensor', 'c-2'), uri('/cse-mn/sensor')]);
    expect(read).toContain('"api":"Nsensor"');
  });

  it('a Kpsa bound to another originator cannot act as Csensor (4.03)', async () => {
    const out = await coapClient(other.id, other.key, [...oneM2m('Csensor', 'c-3'), '-v', '6', uri('/cse-mn/sensor')]);
    expect(out).toMatch(/4\.03/);
    expect(out).toContain("originator '/id-mn/Csensor' is not an identity bound to this security association");
    expect(out).not.toContain('"api"');
  });

  it('an unknown identity or a wrong key gets no session', async () => {
    const unknown = await coapClient('kpsa-nobody@mef.m2msec.org', sensor.key, [
      ...oneM2m('Csensor', 'c-4'),
      uri('/cse-mn/sensor'),
    ]);
    expect(unknown).not.toContain('"api"');
    const wrong = await coapClient(sensor.id, other.key, [...oneM2m('Csensor', 'c-5'), uri('/cse-mn/sensor')]);
    expect(wrong).not.toContain('"api"');
  });

  it('the administrator principal is CAdmin only through its Kpsa: over CoAP yes, over plain HTTP no', async () => {
    const out = await coapClient(admin.id, admin.key, [...oneM2m('CAdmin', 'c-6'), uri('/cse-mn')]);
    expect(out).toContain('"csi":"/id-mn"');
    const asSensor = await coapClient(sensor.id, sensor.key, [...oneM2m('CAdmin', 'c-7'), '-v', '6', uri('/cse-mn')]);
    expect(asSensor).not.toContain('"csi"');
    expect((await m2m(httpUrl, 'GET', '/cse-mn', { from: 'CAdmin' })).rsc).toBe(4106);
  });

  it('a coap PSK file readable by group or others stops the process, naming the key, never its content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-mn-coap-mode-'));
    const keyFile = join(dir, 'open.hex');
    const keyHex = Buffer.from(sensor.key).toString('hex');
    writeFileSync(keyFile, keyHex);
    chmodSync(keyFile, 0o644);
    const registrarKey = join(dir, 'registrar.hex');
    writeFileSync(registrarKey, keyHex, { mode: 0o600 });
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        dataDir: dir,
        http: { host: '127.0.0.1', port: await freePort(), maxBodyBytes: 1048576 },
        registrar: { url: 'https://127.0.0.1:1', retryMs: 60_000, psk: { identity: 'mn', keyFile: registrarKey } },
        coap: { host: '127.0.0.1', port: await freePort(), psk: [{ identity: sensor.id, keyFile }] },
      }),
    );
    const r = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, M2MSEC_CONFIG: file },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PSK file \(coap\.psk\[0\]\.keyFile\) .* is accessible to group or others/);
    expect(r.stderr + r.stdout).not.toContain(keyHex);
  });
});
