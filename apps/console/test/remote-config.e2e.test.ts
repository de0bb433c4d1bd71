// Issue 17 must-show (b): an administrator pushes a trustAnchorCred + myCertFileCred from the console
// and watches the MN-CSE re-enrol and reconnect, with the status the device reported shown in the
// console; the CLI gives the same (remote-config, remote-config-push, rotate-trust-anchor --json). Real
// IN-CSE (secure profile, certificate listener) and console processes; the MEF (@m2msec/mef's startMef:
// EST with its own CA, the Mmef procedures) and the MN-CSE (createMnCse + @m2msec/device-config,
// polling its <node>) in this process.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpRequestSender, httpEdge } from '@m2msec/binding-http';
import {
  type CertificateCredential,
  certificateFingerprint,
  createSwitchableAgent,
  DeviceSecurityConfig,
  frameworkOf,
  type SwitchableAgent,
} from '@m2msec/device-config';
import { createCertificateAuthority } from '@m2msec/est';
import { type RunningMef, startMef } from '@m2msec/mef';
import { createMnCse, type MnCse } from '@m2msec/mn-cse';
import { openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore, type Store } from '@m2msec/store';
import { TestCa } from '@m2msec/test-support';
import express from 'express';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleConfig } from '../src/config.js';
import { InCseClient } from '../src/in-cse-client.js';
import { consoleCli, freePort, type Proc, startConsole, startInCse } from './processes.js';

const CHROMIUM = process.env.M2MSEC_CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.M2MSEC_CONSOLE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'm2msec-console-shots-'));
const password = 'a long operator passphrase';
let cse: Proc | undefined;
let consoleProc: Proc | undefined;
let browser: Browser | undefined;
let admin: InCseClient;
let consoleConfigPath: string;
let origin: string;
let se: SecureEnvironment;
let est: Server;
let taPort: number;
let mefStore: Store;
let mefServer: RunningMef;
let estPort: number;
let estCaPem: string;
let mn: MnCse | undefined;
let switchable: SwitchableAgent;
let device: DeviceSecurityConfig;
let originalFingerprint: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-console-rc-'));
  const ca = new TestCa('console-rc');
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const consoleCert = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin' });
  const mnCert = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  const estServer = ca.issue({ san: 'DNS:mef.m2msec.org', usage: 'server' });
  originalFingerprint = certificateFingerprint(mnCert.cert);

  // The MEF's EST service with its own CA; it also serves that CA's certificate (the trust anchor pushed).
  se = await openSoftwareSecureEnvironment({
    path: join(dir, 'keystore.json'),
    passphrase: 'test only',
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  const estCa = await createCertificateAuthority({
    se,
    keyId: 'mef-ca',
    subject: 'CN=MEF CA, O=m2msec test',
    nameConstraints: { permitted: { dns: ['m2msec.org'], uri: ['m2msec.org'] } },
  });
  estCaPem = new X509Certificate(estCa.certificate).toString();
  const estCaPath = join(dir, 'mef-ca.pem');
  writeFileSync(estCaPath, estCaPem);
  const app = express();
  app.get('/ca.pem', (_req, res) => void res.type('application/x-pem-file').send(estCaPem));
  est = createHttpsServer({ cert: estServer.cert, key: estServer.key }, app);
  await new Promise<void>((r) => est.listen(0, '127.0.0.1', r));
  taPort = (est.address() as AddressInfo).port;
  // The MEF: EST with its own CA and the Mmef procedures on its certificate listener.
  mefStore = await openSqliteStore({ file: join(dir, 'mef.db') });
  const mefToken = 'mef-admin-token-for-this-test';
  mefServer = await startMef({
    edge: httpEdge,
    fqdn: 'mef.m2msec.org',
    store: mefStore,
    se,
    ca: estCa,
    certificate: { host: '127.0.0.1', port: 0, cert: estServer.cert, key: estServer.key, trustAnchors: [ca.cert] },
    admin: { host: '127.0.0.1', port: 0, token: mefToken },
  });
  estPort = Number(new URL(mefServer.urls.certificate!).port);
  const enrolee = await fetch(`${mefServer.urls.admin}/admin/enrolees/certificate/id-mn.id-in.m2msec.org`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${mefToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      enroleeId: '/id-mn',
      targets: [],
      enrolmentExpirySeconds: 86_400,
      certificateEnrolment: true,
      subjectAltNames: ['id-mn.id-in.m2msec.org'],
    }),
  });
  expect(enrolee.status, await enrolee.text()).toBe(200);

  const certPort = await freePort();
  const cseDir = join(dir, 'in-cse');
  mkdirSync(cseDir);
  cse = await startInCse(cseDir, {
    profile: 'secure',
    security: {
      keyFile: join(dir, 'in-cse.kek'),
      certificate: {
        host: '127.0.0.1',
        port: certPort,
        cert: server.certPath,
        key: server.keyPath,
        trustAnchors: [ca.certPath, estCaPath],
        crls: [],
        tls13: true,
      },
      administrators: [{ name: 'console', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' }],
    },
  });

  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const consoleDir = join(dir, 'console');
  mkdirSync(consoleDir);
  const config: ConsoleConfig = {
    http: { host: '127.0.0.1', port },
    publicOrigin: origin,
    dataDir: consoleDir,
    lockout: { accountFailures: 5, addressFailures: 50, windowSeconds: 900 },
    session: { idleSeconds: 900, absoluteSeconds: 3600 },
    inCse: {
      url: `https://id-in.m2msec.org:${certPort}`,
      connectAddress: '127.0.0.1',
      ca: ca.certPath,
      cert: consoleCert.certPath,
      key: consoleCert.keyPath,
      originator: 'CAdmin',
      cseBase: '/cse-in',
      cseId: '/id-in',
      spId: 'm2msec.org',
    },
  };
  consoleConfigPath = join(consoleDir, 'console.json');
  writeFileSync(consoleConfigPath, JSON.stringify(config));
  const add = consoleCli(consoleConfigPath, ['user', 'add', '--name', 'ops', '--json'], `${password}\n`);
  expect(add.code, add.stderr).toBe(0);
  consoleProc = await startConsole(consoleConfigPath, origin);
  admin = new InCseClient(config.inCse);

  // The MN-CSE registers over its certificate, its Mcc on a switchable agent.
  const credential: CertificateCredential = {
    chain: mnCert.cert,
    key: mnCert.key,
    trustAnchors: [ca.cert],
    servername: 'id-in.m2msec.org',
  };
  switchable = createSwitchableAgent(frameworkOf(credential));
  const registrarUrl = `https://127.0.0.1:${certPort}`;
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: ['http://127.0.0.1:1'],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: registrarUrl,
      framework: frameworkOf(credential),
      httpsAgent: switchable.agent,
      retryMs: 300,
    },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  await mn.start();
  await mn.whenRegistered(60_000);

  // The administrator gives the MN-CSE its <node>, readable and reportable by it, and where its MEF is.
  const acp = await admin.send('POST', '/cse-in', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'acpNodeMn',
        pv: { acr: [{ acor: ['/id-mn'], acop: 6 }] },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
  const acpi = [acp.body['m2m:acp'].ri];
  const node = await admin.send('POST', '/cse-in', {
    ty: 14,
    body: { 'm2m:nod': { rn: 'node-mn', ni: 'urn:dev:ops:m2msec-mn-0001', acpi } },
  });
  expect(node.rsc, JSON.stringify(node.body)).toBe(2001);
  const mef = await admin.send('POST', '/cse-in/node-mn', {
    ty: 13,
    body: { 'm2m:mefcr': { rn: 'mef', mgd: 1026, fqdn: 'mef.m2msec.org', adfq: 'm2msec.org', hpt: estPort, acpi } },
  });
  expect(mef.rsc, JSON.stringify(mef.body)).toBe(2001);

  device = new DeviceSecurityConfig({
    sender: new HttpRequestSender({ httpsAgent: switchable.agent }),
    poa: registrarUrl,
    originator: '/id-mn',
    hostingCseId: '/id-in',
    node: '/id-in/cse-in/node-mn',
    credential,
    agent: switchable,
    pollMs: 500,
    resolve: { 'mef.m2msec.org': '127.0.0.1' },
  });
  device.start();

  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 180_000);

afterAll(async () => {
  device?.stop();
  await mn?.stop();
  switchable?.agent.destroy();
  admin?.close();
  await browser?.close();
  await consoleProc?.stop();
  await cse?.stop();
  est?.close();
  await mefServer?.close();
  await mefStore?.close();
  await se?.close();
});

const cli = (args: string[]) => {
  const r = consoleCli(consoleConfigPath, [...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** The MN-CSE's live association at the IN-CSE presents this certificate (fingerprint256 as node prints it). */
function mnSessionsWith(certPem: string): boolean {
  const fp = new X509Certificate(certPem).fingerprint256;
  return (cli(['sessions']) as Array<{ certificate?: { fingerprint256: string } }>).some(
    (s) => s.certificate?.fingerprint256.toUpperCase() === fp.toUpperCase(),
  );
}

describe.skipIf(!existsSync(CHROMIUM))('remote security configuration in chromium (issue 17 must-show)', () => {
  it('pushes a trustAnchorCred + myCertFileCred; the MN-CSE re-enrols and reconnects, status shown', async () => {
    expect(mnSessionsWith(device.credential.chain)).toBe(true);
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${origin}/login`);
    await page.fill('input[name=name]', 'ops');
    await page.fill('input[name=password]', password);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${origin}/nodes`);
    await page.goto(`${origin}/remote-config`);
    expect(await page.locator('#remote-config').textContent()).toContain('MEFClientRegCfg');
    await page.fill('input[name=node]', 'node-mn');
    await page.fill('input[name=taFingerprint]', certificateFingerprint(estCaPem));
    await page.fill('input[name=taUri]', `https://mef.m2msec.org:${taPort}/ca.pem`);
    await page.fill('input[name=enrolAt]', 'mef');
    await page.click('button:has-text("Push")');
    const result = (await page.locator('#result').textContent()) ?? '';
    expect(result).toMatch(/trustAnchorCred ta-\d+, myCertFileCred cert-\d+/);
    // The device applies it at its next poll; the status page shows what it reported.
    const deadline = Date.now() + 60_000;
    let text = '';
    for (;;) {
      await page.goto(`${origin}/remote-config`);
      text = (await page.locator('#remote-config').textContent()) ?? '';
      const rows = await page
        .locator('#remote-config tr', { hasText: /trustAnchorCred|myCertFileCred/ })
        .allTextContents();
      if (rows.length === 2 && rows.every((r) => /applied|failed/.test(r))) break;
      if (Date.now() > deadline) throw new Error(`not applied in time: ${text}`);
      await page.waitForTimeout(500);
    }
    const cert = (await page.locator('#remote-config tr', { hasText: 'myCertFileCred' }).textContent()) ?? '';
    const ta = (await page.locator('#remote-config tr', { hasText: 'trustAnchorCred' }).textContent()) ?? '';
    expect(ta).toContain('applied');
    expect(ta).toContain('trust anchor fetched from');
    expect(cert).toContain('applied');
    expect(cert).toContain('association switched');
    const now = certificateFingerprint(device.credential.chain);
    expect(now).not.toBe(originalFingerprint);
    expect(cert).toContain(now);
    await page.screenshot({ path: join(shots, 'remote-config.png'), fullPage: true });
    // Reconnected: the IN-CSE's live association of the MN-CSE presents the new certificate.
    await expect.poll(() => mnSessionsWith(device.credential.chain), { timeout: 30_000 }).toBe(true);
    expect(device.credential.trustAnchors).toContain(estCaPem);
    expect(await page.content()).not.toMatch(/PRIVATE KEY/);
  }, 180_000);
});

describe('remote-config CLI parity (--json)', () => {
  it('remote-config lists every security <mgmtObj> with its status; remote-config-push refuses precisely', async () => {
    type Entry = { node: string; kind: string; status: string; config: object };
    const mef = () => (cli(['remote-config']) as Entry[]).find((e) => e.kind === 'MEFClientRegCfg');
    await expect.poll(() => mef()?.status, { timeout: 60_000, interval: 500 }).toBe('applied');
    expect(mef()).toMatchObject({ node: 'node-mn', config: { fqdn: 'mef.m2msec.org', hpt: estPort } });
    const unknown = consoleCli(consoleConfigPath, [
      'remote-config-push',
      '--node',
      'nowhere',
      '--enrol-at',
      'mef',
      '--json',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('<node> nowhere: IN-CSE answered 404 rsc 4004');
    const nothing = consoleCli(consoleConfigPath, ['remote-config-push', '--node', 'node-mn', '--json']);
    expect(nothing.stderr).toContain('give a trust anchor (fingerprint and URI), a MEF, or both');
    const badTa = consoleCli(consoleConfigPath, [
      'remote-config-push',
      '--node',
      'node-mn',
      '--ta-fingerprint',
      'abc',
      '--ta-uri',
      'https://x.m2msec.org/ta.pem',
      '--json',
    ]);
    expect(badTa.code).toBe(1);
    expect(badTa.stderr).toContain("certFingerprint (cfp) must be the SHA-256 of the certificate's DER");
  }, 120_000);

  it('remote-config-push from the CLI: a new myCertFileCred, applied by the device', async () => {
    const before = device.credential.chain;
    const pushed = cli(['remote-config-push', '--node', 'node-mn', '--enrol-at', 'mef']);
    expect(pushed.created).toEqual([expect.objectContaining({ kind: 'myCertFileCred' })]);
    const rn = pushed.created[0].rn;
    await expect
      .poll(() => (cli(['remote-config']) as Array<{ rn: string; status: string }>).find((e) => e.rn === rn)?.status, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('applied');
    expect(device.credential.chain).not.toBe(before);
  }, 120_000);
});

/** The console CLI without blocking this process (the device in it must go on polling meanwhile). */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [fileURLToPath(new URL('../dist/cli.js', import.meta.url)), ...args],
      { env: { ...process.env, M2MSEC_CONSOLE_CONFIG: consoleConfigPath }, timeout: 120_000 },
      (e, stdout, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

describe('bulk trust-anchor rotation (issue 17: console action and CLI --json)', () => {
  const anchorDetail =
    /^trust anchor (already held|fetched from https:\/\/mef\.m2msec\.org:\d+\/ca\.pem and installed)$/;

  it('rotate-trust-anchor pushes to N nodes with progress on stderr and a per-node report on stdout', async () => {
    for (const rn of ['node-b', 'node-c']) {
      const r = await admin.send('POST', '/cse-in', { ty: 14, body: { 'm2m:nod': { rn, ni: `urn:dev:ops:${rn}` } } });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    }
    const bad = await cliAsync(['rotate-trust-anchor', '--fingerprint', 'abc', '--uri', 'https://x/ta.pem', '--json']);
    expect([bad.code, bad.stderr.trim()]).toEqual([
      1,
      "m2msec-console: the fingerprint must be the SHA-256 of the certificate's DER (64 hex digits)",
    ]);
    const r = await cliAsync([
      'rotate-trust-anchor',
      '--fingerprint',
      certificateFingerprint(estCaPem),
      '--uri',
      `https://mef.m2msec.org:${taPort}/ca.pem`,
      '--nodes',
      'node-mn,node-b,nowhere',
      '--wait',
      '15',
      '--json',
    ]);
    // Not every node applied it: the exit code says so, the report says which.
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      total: 3,
      pushed: 3,
      applied: 1,
      failed: 0,
      pending: 1,
      refused: 1,
      finished: true,
    });
    expect(report.results).toEqual([
      {
        node: 'node-mn',
        rn: expect.stringMatching(/^ta-\d+$/),
        outcome: 'applied',
        detail: expect.stringMatching(anchorDetail),
      },
      { node: 'node-b', rn: expect.stringMatching(/^ta-\d+$/), outcome: 'pending' },
      {
        node: 'nowhere',
        outcome: 'refused',
        detail: "<node> nowhere: IN-CSE answered 404 rsc 4004 (resource 'cse-in/nowhere' does not exist)",
      },
    ]);
    expect(r.stderr).toContain('1/3 pushed');
    expect(r.stderr).toContain('3/3 pushed: applied 1 failed 0 pending 1 refused 1');
    // What the CLI did is in the console's audit log.
    const audit = cli(['audit', '--action', 'rotate-trust-anchor']) as Array<{ outcome: string }>;
    expect(audit.at(-1)).toMatchObject({ outcome: 'failed' });
  }, 120_000);

  it.skipIf(!existsSync(CHROMIUM))(
    'the console page runs a rotation and shows its progress and report',
    async () => {
      const page = await (await browser!.newContext()).newPage();
      await page.goto(`${origin}/login`);
      await page.fill('input[name=name]', 'ops');
      await page.fill('input[name=password]', password);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(`${origin}/nodes`);
      await page.goto(`${origin}/bulk/rotate-trust-anchor`);
      await page.fill('input[name=fingerprint]', certificateFingerprint(estCaPem));
      await page.fill('input[name=uri]', `https://mef.m2msec.org:${taPort}/ca.pem`);
      await page.fill('input[name=nodes]', 'node-mn,node-c');
      await page.fill('input[name=wait]', '8');
      await page.click('button:has-text("Rotate")');
      await page.waitForURL(/\/bulk\/rotation\?id=/);
      await page.waitForSelector('#progress[data-finished="true"]', { timeout: 60_000 });
      expect(await page.locator('#progress').textContent()).toBe(
        'Finished: pushed to 2 of 2 nodes; 1 applied, 0 failed, 1 pending, 0 refused',
      );
      const rows = await page.locator('#report tr').allTextContents();
      expect(rows.find((t) => t.includes('node-mn'))).toMatch(/ta-\d+applied/);
      expect(rows.find((t) => t.includes('node-c'))).toMatch(/ta-\d+pending/);
      await page.screenshot({ path: join(shots, 'console-trust-anchor-rotation.png'), fullPage: true });
    },
    120_000,
  );
});
