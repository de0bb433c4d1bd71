// No provisioned secret in any log, error or file outside the keystore (issue 20 "Must show"). A
// representative run: the IN-CSE process in the secure profile at debug log level, keys provisioned through
// its credentials CLI (a Kpsa on stdin, an administrator Kpsa and a DerivedKey trust anchor key from 0600
// files), sessions that succeed, fail with a wrong key or an unknown identity, use DerivedKey identities
// (fresh and replayed), register an AE, and a restart. Then every output line (CSE and CLI) and every file
// under the data directory and the configuration directory is scanned for each key in hex, HEX, base64,
// unpadded base64 and base64url; the key-encryption key file and the provisioning key files are the only
// exclusions. The scanner is proven by planting a key in a log file and in the process output.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DerivedKeyTrustAnchor, OneM2MClient } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { freePort } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCseCredentials, inCseMain } from '../src/nodes/in-cse.js';
import { until } from '../src/nodes/process.js';
import { scanForSecrets } from '../src/secret-scan.js';

const adminId = 'kpsa-admin@mef.m2msec.org';
const aeId = 'kpsa-sensor@mef.m2msec.org';
const secrets = {
  adminKpsa: randomBytes(32),
  aeKpsa: randomBytes(32),
  kRsTa: randomBytes(32),
} as Record<string, Buffer>;

const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-leak-data-'));
const configDir = mkdtempSync(join(tmpdir(), 'm2msec-leak-config-'));
const keyDir = mkdtempSync(join(tmpdir(), 'm2msec-leak-keys-'));
const kekFile = join(keyDir, 'keystore.key');
const configPath = join(configDir, 'config.json');
const outputs: Record<string, string> = {};
let cse: ChildProcess | undefined;
let runs = 0;
let httpPort: number;
let pskPort: number;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

const env = () => ({
  ...process.env,
  M2MSEC_CONFIG: configPath,
  M2MSEC_DATA_DIR: dataDir,
  M2MSEC_KEK_FILE: kekFile,
  M2MSEC_LOG_LEVEL: 'debug',
});

function cli(args: string[], input?: string): string {
  const r = spawnSync(process.execPath, [inCseCredentials, ...args], { encoding: 'utf8', input, env: env() });
  outputs[`cli ${args[0]} #${Object.keys(outputs).length}`] = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`credentials ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

async function start(): Promise<void> {
  const name = `in-cse run ${++runs}`;
  outputs[name] = '';
  const p = spawn(process.execPath, [inCseMain], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout!.on('data', (d) => (outputs[name] += d));
  p.stderr!.on('data', (d) => (outputs[name] += d));
  cse = p;
  await until(
    'IN-CSE answering',
    async () => {
      if (p.exitCode !== null) throw new Error(`in-cse exited: ${outputs[name]}`);
      const r = await fetch(`http://127.0.0.1:${httpPort}/cse-in`, {
        headers: { 'X-M2M-Origin': 'Cprobe', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
      }).catch(() => undefined);
      return r?.status === 200;
    },
    30_000,
  );
}

async function stop(): Promise<void> {
  const p = cse;
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

const client = (identity: string, key: Buffer) =>
  new OneM2MClient({ baseUrl: `https://127.0.0.1:${pskPort}`, framework: { kind: 'psk', identity, key } });

beforeAll(async () => {
  httpPort = await freePort();
  pskPort = await freePort();
  writeFileSync(
    configPath,
    JSON.stringify({
      profile: 'secure',
      cse: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'm2msec.org',
        adminOriginators: ['CAdmin'],
        allowCseWithoutAssociation: false,
      },
      http: { host: '127.0.0.1', port: httpPort, maxBodyBytes: 1048576, trustedProxies: [] },
      registration: {
        appRules: [
          { name: 'sensors', applicableCredIDs: [`12-${aeId}`], allowedAppIDs: ['Nsensor'], allowedAEs: ['*'] },
        ],
      },
      security: {
        mca: 'required',
        administrators: [{ name: 'kpsa-admin', originator: 'CAdmin', credentialId: `12-${adminId}` }],
        bindings: [],
        psk: { host: '127.0.0.1', port: pskPort, tls13: true },
      },
      log: { level: 'debug' },
    }),
    { mode: 0o600 },
  );
  const keyFile = (name: string, key: Buffer) => {
    const f = join(keyDir, name);
    writeFileSync(f, key.toString('hex'), { mode: 0o600 });
    return f;
  };
  cli(['add-psk', '--id', adminId, '--key-file', keyFile('admin.hex', secrets.adminKpsa!)]);
  cli(['add-psk', '--id', aeId, '--key-file', '-'], secrets.aeKpsa!.toString('hex'));
  cli(['add-dk-ta', '--ta-id', 'ta1', '--key-file', keyFile('ta1.hex', secrets.kRsTa!)]);
  cli(['list']);
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-leak-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: secrets.kRsTa!,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
  await start();

  // Successful sessions: the administrator, an AE registering and writing.
  const admin = client(adminId, secrets.adminKpsa!);
  expect((await admin.request({ op: 2, to: 'cse-in', from: 'CAdmin' })).rsc).toBe(2000);
  admin.close();
  const ae = client(aeId, secrets.aeKpsa!);
  const reg = await ae.request({
    op: 1,
    to: 'cse-in',
    from: 'C',
    ty: 2,
    pc: { 'm2m:ae': { rn: 'sensor', api: 'Nsensor', rr: false, srv: ['3'] } },
  });
  expect(reg.rsc, JSON.stringify(reg.pc)).toBe(2001);
  const aei = reg.pc['m2m:ae'].aei;
  expect((await ae.request({ op: 1, to: 'cse-in/sensor', from: aei, ty: 3, pc: { 'm2m:cnt': { rn: 'c' } } })).rsc).toBe(
    2001,
  );
  ae.close();
  // Failing sessions: wrong key, unknown identity; DerivedKey fresh, replayed.
  const wrong = client(adminId, randomBytes(32));
  await wrong.request({ op: 2, to: 'cse-in', from: 'CAdmin' }).catch(() => undefined);
  wrong.close();
  const unknown = client('nobody@mef.m2msec.org', secrets.aeKpsa!);
  await unknown.request({ op: 2, to: 'cse-in', from: 'CAdmin' }).catch(() => undefined);
  unknown.close();
  const grant = await ta.issue('Cdk1');
  for (let i = 0; i < 2; i++) {
    const dk = client(grant.identity, grant.key);
    await dk.request({ op: 2, to: 'cse-in', from: 'Cdk1' }).catch(() => undefined);
    dk.close();
  }
  secrets.derivedKey = Buffer.from(grant.key);
  // A restart re-reads everything from the store and the keystore.
  await stop();
  await start();
  await stop();
});

afterAll(async () => {
  await stop();
  await taStore?.close();
});

const scan = (extraOutputs: Record<string, string> = {}) =>
  scanForSecrets({
    secrets,
    outputs: { ...outputs, ...extraOutputs },
    roots: [dataDir, configDir],
    keystores: [kekFile],
  });

describe('secret-leak scan', () => {
  it('the run produced output to scan (debug logs of both starts and every CLI call)', () => {
    expect(outputs['in-cse run 1']!.length).toBeGreaterThan(200);
    expect(outputs['in-cse run 2']!.length).toBeGreaterThan(200);
    expect(Object.keys(outputs).filter((k) => k.startsWith('cli')).length).toBe(4);
  });

  it('no provisioned key in any form in any log line, CLI output or file outside the keystore', () => {
    expect(scan()).toEqual([]);
  });

  it('a key planted in a log file under the data directory is found (proves the scanner)', () => {
    const planted = join(dataDir, 'planted.log');
    writeFileSync(planted, `{"level":30,"msg":"session","psk":"${secrets.aeKpsa!.toString('base64')}"}\n`);
    try {
      expect(scan()).toEqual([
        { where: planted, secret: 'aeKpsa', form: 'base64' },
        { where: planted, secret: 'aeKpsa', form: 'base64 unpadded' },
      ]);
    } finally {
      rmSync(planted);
    }
  });

  it('a key planted in process output (hex) is found', () => {
    const findings = scan({ planted: `error: handshake failed for key ${secrets.kRsTa!.toString('hex')}` });
    expect(findings).toEqual([{ where: 'output:planted', secret: 'kRsTa', form: 'hex' }]);
  });
});
