// Issue 17 item 2 against real processes: the IN-CSE (secure profile) and the console, driven by
// Debian chromium through playwright-core. A device registers over TLS-PSK and keeps its association
// open; an administrator signs in, sees the device with its association, denies it with an ACP edit
// and sees the explainer name the rule, revokes its credential and sees the live session drop; failed
// sign-ins are locked out. An MN-CSE registered over TLS-PSK shows as a remote CSE with its association. The operator CLI gives the same answers (--json).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMnCse, type MnCse } from '@m2msec/mn-cse';
import { TestCa } from '@m2msec/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleConfig } from '../src/config.js';
import { InCseClient } from '../src/in-cse-client.js';
import { base32Decode, hotp, totpStep } from '../src/totp.js';
import { consoleCli, freePort, inCseCredentials, type Proc, PskDevice, startConsole, startInCse } from './processes.js';

// Debian's chromium (scripts/ensure-debs.sh); the browser tests skip without it, the others still run.
const CHROMIUM = process.env.M2MSEC_CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.M2MSEC_CONSOLE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'm2msec-console-shots-'));
const devId = 'dev-1@mef.m2msec.org';
const devKey = randomBytes(32);
const password = 'a long operator passphrase';
const mnKpsaId = 'kpsa-mn@mef.m2msec.org';
const mnKpsa = randomBytes(32);
let mn: MnCse | undefined;

let cse: Proc | undefined;
let consoleProc: Proc | undefined;
let browser: Browser | undefined;
let admin: InCseClient;
let consoleConfigPath: string;
let origin: string;
let device: PskDevice;
let aei: string;
let acpUri: string;
let totpSecret: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-console-e2e-'));
  const ca = new TestCa('console-e2e');
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const consoleCert = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin' });
  const pskPort = await freePort();
  const certPort = await freePort();
  const cseDir = join(dir, 'in-cse');
  mkdirSync(cseDir);
  const cseConfig = {
    profile: 'secure',
    registration: {
      appRules: [{ name: 'devices', applicableCredIDs: [`12-${devId}`], allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    },
    security: {
      // The secure profile keeps the KEK outside the data directory it protects.
      keyFile: join(dir, 'in-cse.kek'),
      psk: { host: '127.0.0.1', port: pskPort, tls13: true },
      certificate: {
        host: '127.0.0.1',
        port: certPort,
        cert: server.certPath,
        key: server.keyPath,
        trustAnchors: [ca.certPath],
        crls: [],
        tls13: true,
      },
      // The console is an administrator principal by its client certificate (docs/administration.md).
      administrators: [{ name: 'console', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' }],
    },
  };
  const cfgPath = join(cseDir, 'in-cse.json');
  writeFileSync(cfgPath, JSON.stringify(cseConfig));
  inCseCredentials(cfgPath, cseDir, ['add-psk', '--id', devId, '--key-file', '-'], devKey.toString('hex'));
  // The MN-CSE's Kpsa, bound to its CSE-ID (Mcc over the PSK SAEF).
  inCseCredentials(
    cfgPath,
    cseDir,
    ['add-psk', '--id', mnKpsaId, '--key-file', '-', '--bind', '/id-mn'],
    mnKpsa.toString('hex'),
  );
  cse = await startInCse(cseDir, cseConfig);

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
  // Accounts come from the CLI, the password on stdin.
  const add = consoleCli(consoleConfigPath, ['user', 'add', '--name', 'ops', '--json'], `${password}\n`);
  expect(add.code, add.stderr).toBe(0);
  const add2 = consoleCli(consoleConfigPath, ['user', 'add', '--name', 'ops2', '--totp', '--json'], `${password}\n`);
  expect(add2.code, add2.stderr).toBe(0);
  totpSecret = JSON.parse(add2.stdout).totpSecret;
  consoleProc = await startConsole(consoleConfigPath, origin);
  admin = new InCseClient(config.inCse);

  // The device registers over TLS-PSK and stays connected.
  device = await PskDevice.connect(pskPort, devId, devKey);
  const reg = await device.request('POST', '/cse-in', 'C', {
    ty: 2,
    body: { 'm2m:ae': { rn: 'meter', api: 'Nmeter', rr: false, srv: ['3'] } },
  });
  expect(reg.rsc, JSON.stringify(reg.body)).toBe(2001);
  aei = reg.body['m2m:ae'].aei;
  // The administrator shares a container with it through a policy.
  const acp = await admin.send('POST', '/cse-in', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'acpShared',
        pv: { acr: [{ acor: [aei], acop: 3 }] },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
  acpUri = '/cse-in/acpShared';
  const cnt = await admin.send('POST', '/cse-in', {
    ty: 3,
    body: { 'm2m:cnt': { rn: 'shared', acpi: [acp.body['m2m:acp'].ri] } },
  });
  expect(cnt.rsc, JSON.stringify(cnt.body)).toBe(2001);
  expect((await device.request('GET', '/cse-in/shared', aei)).rsc).toBe(2000);
  // An MN-CSE (the @m2msec/mn-cse library) registers over TLS-PSK with its Kpsa.
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: ['http://127.0.0.1:1'],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: `https://127.0.0.1:${pskPort}`,
      framework: { kind: 'psk', identity: mnKpsaId, key: mnKpsa },
      retryMs: 300,
    },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  await mn.start();
  await mn.whenRegistered(60_000);

  // launch() gives chromium a fresh temporary --user-data-dir of its own (playwright refuses one in args).
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
}, 120_000);

afterAll(async () => {
  await mn?.stop();
  device?.socket.destroy();
  admin?.close();
  await browser?.close();
  await consoleProc?.stop();
  await cse?.stop();
});

async function signIn(page: Page, name: string, pw: string, totp = ''): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', pw);
  if (totp) await page.fill('input[name=totp]', totp);
  await page.click('button:has-text("Sign in")');
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

describe('the IN-CSE routes the console reads', () => {
  it('the IN-CSE session and PSK lists are for administrators only: the device gets 403, recorded', async () => {
    for (const path of ['/.well-known/m2msec/sessions', '/.well-known/m2msec/credentials/psk']) {
      const r = await device.request('GET', path, aei);
      expect(r.status, path).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain(devId);
    }
    const audit = await admin.send('GET', '/.well-known/m2msec/audit?kind=authentication-failure');
    const reasons = audit.body.events.map((e: { reason?: string }) => e.reason);
    expect(reasons).toContain('reading the live sessions without an administrator association');
    expect(reasons).toContain('listing the PSK credentials without an administrator association');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the console in chromium against the IN-CSE process', () => {
  let page: Page;

  it('signs in and shows the PSK device and the MN-CSE with their associations', async () => {
    page = await (await browser!.newContext()).newPage();
    await signIn(page, 'ops', password);
    await page.waitForURL(`${origin}/nodes`);
    const row = page.locator('#aes tr', { hasText: aei });
    await expect(row.textContent()).resolves.toContain(`psk: 12-${devId}`);
    expect(await page.locator('body').textContent()).toContain('Nmeter');
    const csr = (await page.locator('#remote-cses tr', { hasText: '/id-mn' }).textContent()) ?? '';
    expect(csr).toContain(`psk: 12-${mnKpsaId}`); // the MN-CSE with the association it registered over
    await shot(page, 'nodes');
  });

  it('the explainer names the permitting rule; an ACP edit denies the device, and the explainer says which rule no longer permits', async () => {
    await page.goto(`${origin}/explain?from=${aei}&op=retrieve&to=/cse-in/shared`);
    expect(await page.textContent('#verdict')).toBe('PERMIT');
    expect(await page.textContent('#reason')).toBe('permitted by acpShared.pv.acr[0]');

    await page.goto(`${origin}/policies`);
    const editor = page.locator('fieldset.acp', { hasText: 'acpShared' });
    await editor.locator('textarea').fill(JSON.stringify({ acr: [{ acor: ['Cnobody'], acop: 3 }] }));
    await shot(page, 'policies');
    await editor.locator('button').click();
    expect(await page.textContent('#result')).toContain('Cnobody');
    // The CSE enforces it: the device is now refused.
    expect((await device.request('GET', '/cse-in/shared', aei)).rsc).toBe(4103);

    await page.goto(`${origin}/explain?from=${aei}&op=retrieve&to=/cse-in/shared`);
    expect(await page.textContent('#verdict')).toBe('DENY');
    expect(await page.textContent('#reason')).toContain(`acpShared.pv.acr[0]: acor does not name /id-in/${aei}`);
    await shot(page, 'explain');
  });

  it('revoking the credential drops the live session (seen live over server-sent events)', async () => {
    const events = await page.context().newPage();
    await events.goto(`${origin}/events`);
    await events.waitForSelector(`#live-sessions li:has-text("12-${devId}")`);

    await page.goto(`${origin}/credentials`);
    const row = page.locator('tr', { hasText: `12-${devId}` });
    expect(await row.locator('.live-count').textContent()).toBe('1');
    await shot(page, 'credentials');
    page.once('dialog', (d) => void d.accept());
    await row.locator('button:has-text("Revoke")').click();
    expect(await page.textContent('#result')).toBe(`Revoked 12-${devId}; 1 live association(s) ended.`);
    await device.closed; // the IN-CSE ended the device's association

    await events.waitForFunction(
      (id) => ![...document.querySelectorAll('#live-sessions li')].some((li) => li.textContent?.includes(id)),
      `12-${devId}`,
    );
    await events.waitForSelector('#events li:has-text("PSK credential revoked")');
    await shot(events, 'events');
    await page.goto(`${origin}/credentials`);
    expect(await page.locator('tr', { hasText: `12-${devId}` }).count()).toBe(0);
  });

  it('the audit log shows the IN-CSE records and the console actions, with filters', async () => {
    await page.goto(`${origin}/audit?kind=administrative-action&account=ops`);
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain('PSK credential revoked');
    expect(body).toContain('revoke-psk');
    expect(body).toContain('update-acp');
    await shot(page, 'audit');
  });

  it('TOTP: an account with a second factor needs the current code, once', async () => {
    const ctx = await browser!.newContext();
    const p = await ctx.newPage();
    await signIn(p, 'ops2', password, '000000');
    expect(await p.textContent('#login-error')).toContain('Wrong account, password or code');
    const code = hotp(base32Decode(totpSecret), totpStep(Date.now() / 1000));
    await signIn(p, 'ops2', password, code);
    await p.waitForURL(`${origin}/nodes`);
    await ctx.close();
    // The same code again (an observed code replayed) is refused.
    const other = await browser!.newContext();
    const q = await other.newPage();
    await signIn(q, 'ops2', password, code);
    expect(await q.textContent('#login-error')).toContain('Wrong account, password or code');
    await other.close();
  });

  it('failed sign-ins lock the account out, even with the right password afterwards', async () => {
    const ctx = await browser!.newContext();
    const p = await ctx.newPage();
    for (let i = 0; i < 5; i++) {
      await signIn(p, 'ops', `wrong password ${i}`);
      expect(await p.textContent('#login-error')).toContain('Wrong account, password or code');
    }
    await signIn(p, 'ops', password);
    expect(await p.textContent('#login-error')).toContain('locked out');
    expect(p.url()).toBe(`${origin}/login`);
    await shot(p, 'locked-out');
    const audit = JSON.parse(
      consoleCli(consoleConfigPath, ['audit', '--account', 'ops', '--outcome', 'refused', '--json']).stdout,
    );
    expect(audit[0]).toMatchObject({ action: 'sign-in', outcome: 'refused', detail: 'locked out (account)' });
    await ctx.close();
  });
});

describe('operator CLI parity (--json)', () => {
  const cli = (args: string[], input = '') => {
    const r = consoleCli(consoleConfigPath, [...args, '--json'], input);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('nodes, acps, explain, credentials, sessions, cse-audit', () => {
    const n = cli(['nodes']);
    expect(n.aes.map((a: { aei: string }) => a.aei)).toContain(aei);
    expect(cli(['acps']).map((a: { rn: string }) => a.rn)).toContain('acpShared');
    const e = cli(['explain', '--from', aei, '--op', 'retrieve', '--to', '/cse-in/shared']);
    expect(e.policies).toHaveLength(1);
    expect(e.rules[0].rule).toBe('acpShared.pv.acr[0]');
    expect(Array.isArray(cli(['credentials']))).toBe(true);
    expect(Array.isArray(cli(['sessions']))).toBe(true);
    expect(cli(['cse-audit', '--kind', 'administrative-action', '--limit', '5']).events.length).toBeGreaterThan(0);
  });

  it('acp-update reads the policy from stdin; explain then names the rule', () => {
    cli(['acp-update', '--uri', acpUri], JSON.stringify({ acr: [{ acor: [aei], acop: 2 }] }));
    const e = cli(['explain', '--from', aei, '--op', 'retrieve', '--to', '/cse-in/shared']);
    expect(e).toMatchObject({ permit: true, rule: 'acpShared.pv.acr[0]' });
    expect(cli(['explain', '--from', aei, '--op', 'update', '--to', '/cse-in/shared']).rules[0].reason).toBe(
      'acop 2 does not include operation 4',
    );
  });

  it('refusals are precise and leave nothing: an unknown PSK, a bad op, a bad pv', () => {
    const r1 = consoleCli(consoleConfigPath, ['revoke-psk', '--key-id', 'nobody@x', '--json']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/revocation of nobody@x: IN-CSE answered 404/);
    const r2 = consoleCli(consoleConfigPath, ['explain', '--from', 'C', '--op', 'fly', '--to', '/cse-in']);
    expect(r2.stderr).toMatch(/op must be one of/);
    const r3 = consoleCli(consoleConfigPath, ['acp-update', '--uri', acpUri], '{"acr": 1}');
    expect(r3.stderr).toMatch(/pv must be an object with an acr list/);
    const r4 = consoleCli(consoleConfigPath, ['user', 'add', '--name', 'short'], 'short\n');
    expect(r4.stderr).toMatch(/at least 12 characters/);
    expect(cli(['acps']).find((a: { rn: string }) => a.rn === 'acpShared').pv.acr[0].acop).toBe(2);
  });
});
