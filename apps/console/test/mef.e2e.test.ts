// The console against the MEF and MAF processes (its admin API, bearer token from a file): bulk provisioning of
// PSK enrolees from a CSV in chromium, with progress and a per-row report (a row the MEF refuses is
// reported, the rest provisioned); the enrolees then show in the MEF view; the same from the CLI.
// No Kpm ever appears in a page, a report or the console's audit log.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from '@m2msec/test-support';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleConfig } from '../src/config.js';
import { consoleCli, freePort, type Proc, startConsole, startMaf, startMef } from './processes.js';

// Debian's chromium (scripts/ensure-debs.sh); the browser tests skip without it, the others still run.
const CHROMIUM = process.env.M2MSEC_CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.M2MSEC_CONSOLE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'm2msec-console-shots-'));
const password = 'a long operator passphrase';
const keys = Array.from({ length: 5 }, () => randomBytes(32).toString('hex'));
const header = 'kpmId,kpm,enroleeId,targetId,suid,enrolmentExpirySeconds';

let mef: (Proc & { adminUrl: string; pskUrl: string }) | undefined;
let mefToken: string;
let maf: (Proc & { adminUrl: string }) | undefined;
const km = randomBytes(32).toString('hex');
let consoleProc: Proc | undefined;
let browser: Browser | undefined;
let configPath: string;
let consoleDir: string;
let origin: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-console-mef-'));
  const token = randomBytes(24).toString('hex');
  mefToken = token;
  mkdirSync(join(dir, 'mef'));
  mef = await startMef(join(dir, 'mef'), token);
  writeFileSync(join(dir, 'mef-token'), token, { mode: 0o600 });
  const mafToken = randomBytes(24).toString('hex');
  mkdirSync(join(dir, 'maf'));
  maf = await startMaf(join(dir, 'maf'), mafToken);
  writeFileSync(join(dir, 'maf-token'), mafToken, { mode: 0o600 });
  // A MAF client with a pre-provisioned Km, and a DerivedKey trust anchor (through the MAF's own API).
  const put = (path: string, body: unknown) =>
    fetch(maf!.adminUrl + path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${mafToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect(
    (await put('/admin/clients/psk/entity-a@maf.m2msec.org', { km, clientId: '//m2msec.org/id-in/CmafA' })).status,
  ).toBe(200);
  expect(
    (
      await put('/admin/trust-anchors/ta1', {
        key: randomBytes(32).toString('hex'),
        clients: { '//m2msec.org/id-in/CmafA': 'Ca' },
      })
    ).status,
  ).toBe(200);
  const ca = new TestCa('console-mef');
  const client = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin' });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  consoleDir = join(dir, 'console');
  mkdirSync(consoleDir);
  const config: ConsoleConfig = {
    http: { host: '127.0.0.1', port },
    publicOrigin: origin,
    dataDir: consoleDir,
    lockout: { accountFailures: 5, addressFailures: 50, windowSeconds: 900 },
    session: { idleSeconds: 900, absoluteSeconds: 3600 },
    mef: { url: mef.adminUrl.replace(/\/$/, ''), tokenFile: join(dir, 'mef-token') },
    maf: { url: maf.adminUrl, tokenFile: join(dir, 'maf-token') },
    // No IN-CSE in this test: the MEF views do not need one.
    inCse: {
      url: 'https://id-in.m2msec.org:9',
      connectAddress: '127.0.0.1',
      ca: ca.certPath,
      cert: client.certPath,
      key: client.keyPath,
      originator: 'CAdmin',
      cseBase: '/cse-in',
      cseId: '/id-in',
      spId: 'm2msec.org',
    },
  };
  configPath = join(consoleDir, 'console.json');
  writeFileSync(configPath, JSON.stringify(config));
  expect(consoleCli(configPath, ['user', 'add', '--name', 'ops'], `${password}\n`).code).toBe(0);
  consoleProc = await startConsole(configPath, origin);
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
  await browser?.close();
  await consoleProc?.stop();
  await mef?.stop();
  await maf?.stop();
});

describe.skipIf(!existsSync(CHROMIUM))('bulk provisioning at the MEF process', () => {
  it('provisions N devices from a CSV with progress and a result report; a refused row is reported', async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${origin}/login`);
    await page.fill('input[name=name]', 'ops');
    await page.fill('input[name=password]', password);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${origin}/nodes`);
    await page.goto(`${origin}/bulk`);
    const csv = [
      header,
      `dev-1@mef.m2msec.org,${keys[0]},Cdev1,/id-in,21,86400`,
      `dev-2@mef.m2msec.org,${keys[1]},Cdev2,/id-in,21,86400`,
      // The MEF refuses an Enrolment Expiry under 60 s: reported, the other rows still provisioned.
      `dev-3@mef.m2msec.org,${keys[2]},Cdev3,/id-in,21,30`,
      `dev-4@mef.m2msec.org,${keys[3]},Cdev4,/id-in,21,86400`,
    ].join('\n');
    await page.fill('textarea[name=csv]', csv);
    await page.click('button:has-text("Provision")');
    await page.waitForSelector('#progress[data-finished="true"]', { timeout: 20_000 });
    expect(await page.textContent('#progress')).toBe('Finished: 4 of 4 rows, 3 provisioned, 1 failed');
    expect(await page.locator('#report tr', { hasText: 'dev-3@mef.m2msec.org' }).textContent()).toContain(
      '400: enrolmentExpirySeconds must be an integer from 60 to 10 years',
    );
    await page.screenshot({ path: join(shots, 'bulk.png'), fullPage: true });
    const html = await page.content();
    for (const k of keys) expect(html).not.toContain(k);

    await page.goto(`${origin}/enrolments`);
    const enrolees = (await page.textContent('#enrolees')) ?? '';
    for (const id of ['Cdev1', 'Cdev2', 'Cdev4']) expect(enrolees).toContain(id);
    expect(enrolees).not.toContain('Cdev3');
  });

  it('a malformed CSV provisions nothing (400, precise message)', async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${origin}/login`);
    await page.fill('input[name=name]', 'ops');
    await page.fill('input[name=password]', password);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${origin}/nodes`);
    await page.goto(`${origin}/bulk`);
    await page.fill('textarea[name=csv]', `${header}\nx9@mef,${keys[4]},Cx9,/id-in,21,86400\nbad-row`);
    await page.click('button:has-text("Provision")');
    expect(await page.textContent('.error')).toBe('line 3: 1 fields, expected 6');
    expect(JSON.stringify(JSON.parse(consoleCli(configPath, ['mef-enrolees', '--json']).stdout))).not.toContain('Cx9');
  });
});

/** An EST certificate from the MEF: simpleenroll over TLS-PSK with the enrolee's Kpm (openssl s_client). */
function enrolCertificate(kpmId: string, kpm: string, san: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-console-est-'));
  const csr = spawnSync('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, 'k.pem'),
    '-subj',
    '/CN=device',
    '-addext',
    `subjectAltName=URI:${san}`,
    '-outform',
    'DER',
  ]);
  const b64 = csr.stdout.toString('base64');
  const request = [
    'POST /.well-known/est/simpleenroll HTTP/1.1',
    'Host: mef.m2msec.org',
    'Content-Type: application/pkcs10',
    `Content-Length: ${b64.length}`,
    'Connection: close',
    '',
    b64,
  ].join('\r\n');
  const port = new URL(mef!.pskUrl).port;
  const r = spawnSync(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-psk', kpm, '-psk_identity', kpmId, '-tls1_2', '-quiet'],
    {
      input: request,
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  expect(r.stdout, r.stderr).toMatch(/^HTTP\/1\.1 200/);
}

describe.skipIf(!existsSync(CHROMIUM))('EST certificates in the MEF view', () => {
  it('shows a certificate with its expiry and revokes it from the console (then on the MEF CRL list as revoked)', async () => {
    const kpm = randomBytes(32).toString('hex');
    const put = await fetch(`${mef!.adminUrl.replace(/\/$/, '')}/admin/enrolees/psk/est-1@mef.m2msec.org`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${mefToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kpm,
        enroleeId: 'Cest1',
        targets: [{ targetId: '/id-in', suid: 22 }],
        enrolmentExpirySeconds: 3600,
        certificateEnrolment: true,
        subjectAltNames: ['https://m2msec.org/Cest1'],
      }),
    });
    expect(put.status, await put.text()).toBe(200);
    enrolCertificate('est-1@mef.m2msec.org', kpm, 'https://m2msec.org/Cest1');
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${origin}/login`);
    await page.fill('input[name=name]', 'ops');
    await page.fill('input[name=password]', password);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${origin}/nodes`);
    await page.goto(`${origin}/enrolments`);
    const row = page.locator('#certificates tr', { hasText: 'Cest1' });
    const text = (await row.textContent()) ?? '';
    const notAfter = /\d{4}-\d\d-\d\dT[\d:.]+Z/g.exec(text.slice(text.indexOf('simpleenroll')));
    expect(text).toContain('simpleenroll');
    expect(notAfter).not.toBeNull();
    await page.screenshot({ path: join(shots, 'enrolments.png'), fullPage: true });
    page.once('dialog', (d) => void d.accept());
    await row.locator('button:has-text("Revoke")').click();
    expect(await page.textContent('#result')).toMatch(
      /^Revoked certificate [0-9A-F]+ at .* \(unspecified\); it is on the MEF's CRL\.$/,
    );
    const certs = JSON.parse(consoleCli(configPath, ['mef-certificates', '--json']).stdout);
    expect(certs.find((c: { enroleeId: string }) => c.enroleeId === 'Cest1').revoked).toMatch(/unspecified/);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the MAF view', () => {
  it('shows the MAF clients and DerivedKey trust anchors, never a key', async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${origin}/login`);
    await page.fill('input[name=name]', 'ops');
    await page.fill('input[name=password]', password);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${origin}/nodes`);
    await page.goto(`${origin}/maf`);
    expect(await page.textContent('#maf-clients')).toContain('//m2msec.org/id-in/CmafA');
    expect(await page.textContent('#maf-trust-anchors')).toContain('ta1');
    expect(await page.content()).not.toContain(km);
    await page.screenshot({ path: join(shots, 'maf.png'), fullPage: true });
  });
});

describe('MAF commands of the operator CLI', () => {
  it('maf-clients, maf-trust-anchors, maf-registrations, maf-keys; an unknown key is a precise 404', () => {
    const cli = (args: string[]) => {
      const r = consoleCli(configPath, [...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    expect(JSON.stringify(cli(['maf-clients']))).toContain('CmafA');
    expect(cli(['maf-trust-anchors']).map((t: { taId: string }) => t.taId)).toEqual(['ta1']);
    expect(cli(['maf-registrations'])).toEqual([]);
    expect(cli(['maf-keys'])).toEqual([]);
    const bad = consoleCli(configPath, ['maf-deregister-key', '--rid', 'abcd']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/deregistration of key abcd: MAF answered (400|404)/);
  });
});

describe('MEF commands of the operator CLI', () => {
  it('bulk-provision reads the CSV on stdin, reports progress on stderr and the report on stdout', () => {
    const r = consoleCli(
      configPath,
      ['bulk-provision', '--json'],
      `${header}\ndev-5@mef.m2msec.org,${keys[4]},Cdev5,/id-in,21,86400\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('0/1 provisioned 0 failed 0');
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 1, succeeded: 1, failed: 0, finished: true });
    const enrolees = JSON.parse(consoleCli(configPath, ['mef-enrolees', '--json']).stdout);
    expect(enrolees.map((e: { enroleeId: string }) => e.enroleeId)).toContain('Cdev5');
    const bad = consoleCli(configPath, ['mef-revoke-enrolment', '--ke-id', 'nope@mef.m2msec.org']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/revocation of enrolment nope@mef.m2msec.org: MEF answered 404/);
  });

  it('no Kpm in the console audit log', () => {
    const log = readFileSync(join(consoleDir, 'console-audit.jsonl'), 'utf8');
    expect(log).toContain('bulk-provision');
    for (const k of keys) expect(log).not.toContain(k);
  });
});
