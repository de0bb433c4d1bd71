// Issue 12 item 2, the profiles (docs/administration.md): "development" keeps the administrator
// originator on the plain listener but only on loopback, with a loud warning; "secure" refuses the
// settings that would undo it and can run without a plain listener at all.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type InCseProcess, m2m, startInCse } from './harness.js';

const kek = () => randomBytes(32).toString('hex');
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

/** Runs the IN-CSE expecting it to refuse its configuration; returns exit code and stderr. */
function refusedStart(config: unknown, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-profile-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const r = spawnSync(process.execPath, [main], {
    encoding: 'utf8',
    timeout: 20_000,
    // The secure profile refuses a KEK inside the data directory: the KEK comes from the environment.
    env: {
      ...process.env,
      M2MSEC_CONFIG: file,
      M2MSEC_DATA_DIR: dir,
      M2MSEC_LOG_LEVEL: 'info',
      M2MSEC_KEK: kek(),
      ...env,
    },
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('development profile', () => {
  it('refuses a plain listener on a non-loopback host before listening on anything', () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      const r = refusedStart({ http: { host, port: 1 } });
      expect(r.code, host).toBe(1);
      expect(r.stderr).toMatch(/profile "development".*http\.host must be a loopback address/);
      expect(r.stdout).not.toMatch(/IN-CSE ready/);
    }
    // The environment override is checked the same way.
    expect(refusedStart({}, { M2MSEC_HTTP_HOST: '0.0.0.0' }).code).toBe(1);
  });

  describe('on loopback', () => {
    let cse: InCseProcess;
    beforeAll(async () => {
      cse = await startInCse({ store: 'sqlite' });
    });
    afterAll(async () => cse?.stop());

    it('warns loudly at start that the plain listener trusts the administrator originator', () => {
      expect(cse.output()).toMatch(/DEVELOPMENT PROFILE: anyone on this machine can act as administrator/);
    });

    it('accepts CAdmin from loopback plain HTTP and audits it; the audit log is readable the same way', async () => {
      expect((await m2m(cse.url, 'GET', '/cse-in', { from: 'CAdmin' })).rsc).toBe(2000);
      const r = await fetch(`${cse.url}/.well-known/m2msec/audit?kind=administrative-action`, {
        headers: { 'X-M2M-Origin': 'CAdmin' },
      });
      expect(r.status).toBe(200);
      const { events } = (await r.json()) as { events: any[] };
      expect(events.at(-1)).toMatchObject({ administrator: 'plain-loopback:CAdmin', credential: 'plain-loopback' });
      expect((await fetch(`${cse.url}/.well-known/m2msec/audit`, { headers: { 'X-M2M-Origin': 'Cx' } })).status).toBe(
        403,
      );
    });

    it('an AE still cannot register as CAdmin on the plain listener (4126)', async () => {
      const r = await m2m(cse.url, 'POST', '/cse-in', {
        from: 'CAdmin',
        ty: 2,
        body: { 'm2m:ae': { api: 'Nx', rr: false, srv: ['3'] } },
      });
      expect(r.rsc).toBe(4126);
    });
  });
});

describe('secure profile', () => {
  it('refuses the upper tester and a waived Mcc association', () => {
    const ut = refusedStart({ profile: 'secure', upperTester: true });
    expect(ut.code).toBe(1);
    expect(ut.stderr).toMatch(/upper tester/);
    const mcc = refusedStart({ profile: 'secure', cse: { allowCseWithoutAssociation: true } });
    expect(mcc.code).toBe(1);
    expect(mcc.stderr).toMatch(/allowCseWithoutAssociation must be false/);
  });

  it('refuses a reserved ID in security.bindings and an administrator that is no AE-ID', () => {
    const b = refusedStart({
      profile: 'secure',
      security: { bindings: [{ credentialId: '12-x', aeIds: ['CAdmin'] }] },
    });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/reserved/);
    const a = refusedStart({
      profile: 'secure',
      security: { administrators: [{ name: 'x', originator: '/id-in', pskIdentity: 'x' }] },
    });
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/not an AE-ID/);
  });

  it('turns the plain listener off with http.enabled false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-profile-'));
    const port = await freePort();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ profile: 'secure', http: { enabled: false, port } }));
    const p = spawn(process.execPath, [main], {
      env: { ...process.env, M2MSEC_CONFIG: file, M2MSEC_DATA_DIR: dir, M2MSEC_LOG_LEVEL: 'info', M2MSEC_KEK: kek() },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    try {
      const deadline = Date.now() + 20_000;
      while (!/IN-CSE ready/.test(out) && Date.now() < deadline && p.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/IN-CSE ready/);
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    } finally {
      p.kill('SIGTERM');
    }
  });
});
