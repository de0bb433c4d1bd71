// Issue 12 item 2 for the MN-CSE process (docs/administration.md): in the development profile the
// administrator originator works only on a loopback plain listener (a non-loopback host is refused
// at start); in the secure profile From CAdmin on the plain listener is nobody (4106) and AEs need an
// association (4107).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { m2m } from './http.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function configFile(profile: string, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-mn-profile-'));
  const keyFile = join(dir, 'kpsa.hex');
  writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const port = await freePort();
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      profile,
      http: { host: '127.0.0.1', port, maxBodyBytes: 1048576 },
      dataDir: dir,
      // A registrar that is not there: registration retries in the background, the listeners serve.
      registrar: { url: `https://127.0.0.1:${await freePort()}`, retryMs: 60_000, psk: { identity: 'mn', keyFile } },
      registration: { appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
      ...extra,
    }),
  );
  return { file, url: `http://127.0.0.1:${port}` };
}

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

async function start(file: string): Promise<string> {
  child = spawn(process.execPath, [main], { env: { ...process.env, M2MSEC_CONFIG: file, M2MSEC_LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 20_000;
  while (!/MN-CSE ready/.test(out) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 100));
  if (!/MN-CSE ready/.test(out)) throw new Error(`mn-cse did not start: ${out}`);
  return out;
}

const aeBody = { 'm2m:ae': { api: 'Nx', rr: false, srv: ['3'] } };

describe('MN-CSE profiles', () => {
  it('development refuses a non-loopback plain host; secure refuses a plain-HTTP registrar', async () => {
    const { file } = await configFile('development');
    const r = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, M2MSEC_CONFIG: file, M2MSEC_HTTP_HOST: '0.0.0.0' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/http\.host must be a loopback address/);
    const plain = await configFile('secure', {
      registrar: { url: 'http://127.0.0.1:1', retryMs: 60_000, plainHttp: true },
    });
    const p = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, M2MSEC_CONFIG: plain.file },
    });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/registrar\.plainHttp is a lab setting/);
  });

  it('secure refuses the relay test hook (testHooks), also when M2MSEC_PROFILE switches a file to secure', async () => {
    const hooked = await configFile('development', { testHooks: { alterRelayedContentFrom: ['/id-mn/Cx'] } });
    const r = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, M2MSEC_CONFIG: hooked.file, M2MSEC_PROFILE: 'secure' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/profile "secure" refuses testHooks/);
    const secure = await configFile('secure', { testHooks: { alterRelayedContentFrom: ['/id-mn/Cx'] } });
    const s = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, M2MSEC_CONFIG: secure.file },
    });
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/profile "secure" refuses testHooks/);
  });

  it('development: CAdmin on the loopback plain listener is the administrator, with a loud warning', async () => {
    const { file, url } = await configFile('development');
    const out = await start(file);
    expect(out).toMatch(/DEVELOPMENT PROFILE/);
    expect((await m2m(url, 'GET', '/cse-mn', { from: 'CAdmin' })).rsc).toBe(2000);
    // Still no AE may register as the administrator (4126).
    expect((await m2m(url, 'POST', '/cse-mn', { from: 'CAdmin', ty: 2, body: aeBody })).rsc).toBe(4126);
  });

  it('secure: CAdmin on the plain listener is nobody (4106); AEs need an association (4107)', async () => {
    const { file, url } = await configFile('secure');
    const out = await start(file);
    expect(out).not.toMatch(/DEVELOPMENT PROFILE/);
    expect((await m2m(url, 'GET', '/cse-mn', { from: 'CAdmin' })).rsc).toBe(4106);
    expect((await m2m(url, 'POST', '/cse-mn', { from: 'Cdev', ty: 2, body: aeBody })).rsc).toBe(4107);
    expect((await m2m(url, 'POST', '/cse-mn', { from: 'CAdmin', ty: 2, body: aeBody })).rsc).not.toBe(2001);
  });
});

describe('operations listener (issue 19 item 3)', () => {
  it('/readyz names the registrar that is not there; the store answers; /metrics and /healthz serve', async () => {
    const opsPort = await freePort();
    const { file } = await configFile('development', { opsListener: { port: opsPort } });
    await start(file);
    const ops = `http://127.0.0.1:${opsPort}`;
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; error?: string } | undefined> };
    expect(body.checks.store).toEqual({ ok: true });
    expect(body.checks.registrar?.ok).toBe(false);
    expect(body.checks.registrar?.error).toMatch(/^registration (registering|unregistered)/);
    expect(await (await fetch(`${ops}/metrics`)).text()).toMatch(/m2msec_process_start_time_seconds\{app="mn-cse"\}/);
  });
});
