// Issue 12 "Must show": the IN-CSE started with the configuration file the docker compose mounts
// (infra/docker/config/in-cse.json, profile "secure"; /pki paths and ports adjusted, listeners on
// loopback) gives an unauthenticated client no admin right and no AE's data on any listener, and the
// compose's own setup script (infra/docker/scripts/setup-in-cse.mjs) does its admin work with the
// administrator certificate the compose's PKI issues.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type InCseProcess, m2m, startInCse } from './harness.js';
import { runPeer } from './saef-setup.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const composeConfig = join(repo, 'infra', 'docker', 'config', 'in-cse.json');

let cse: InCseProcess;
let certPort: number;
let ca: TestCa;
let pki: string;
let viewer: Issued;

beforeAll(async () => {
  // The compose's PKI names, made by a TestCa constrained to m2msec.org as make-pki.sh's CA is.
  ca = new TestCa('docker');
  pki = mkdtempSync(join(tmpdir(), 'm2msec-docker-pki-'));
  const put = (name: string, i: Issued) => {
    copyFileSync(i.certPath, join(pki, `${name}.pem`));
    copyFileSync(i.keyPath, join(pki, `${name}.key`));
  };
  copyFileSync(ca.certPath, join(pki, 'ca.pem'));
  // make-pki.sh writes the IN-CSE's KEK beside the keys (outside the data volume): 32 bytes, 0600.
  writeFileSync(join(pki, 'in-cse.kek'), randomBytes(32), { mode: 0o600 });
  put('in-cse', ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }));
  put('admin', ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin' }));
  put('in-client', ca.issue({ san: 'DNS:id-in.m2msec.org' }));
  viewer = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cae2' });

  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-docker-in-'));
  mkdirSync(dataDir, { recursive: true });
  certPort = await freePort();
  const text = readFileSync(composeConfig, 'utf8')
    .replaceAll('"/pki/', `"${pki}/`)
    .replaceAll('"0.0.0.0"', '"127.0.0.1"')
    .replace('"port": 8443', `"port": ${certPort}`);
  const config = join(dataDir, 'in-cse.json');
  writeFileSync(config, text);
  // The plain port comes from M2MSEC_HTTP_PORT as in the harness; everything else from the file.
  cse = await startInCse({ store: 'sqlite', dataDir, env: { M2MSEC_CONFIG: config } });
});

afterAll(async () => cse?.stop());

async function curl(client: Issued | undefined, method: string, path: string, from: string) {
  const host = 'id-in.m2msec.org';
  const r = await runPeer('curl', [
    '-sS',
    '-i',
    '--max-time',
    '10',
    '--resolve',
    `${host}:${certPort}:127.0.0.1`,
    '--cacert',
    ca.certPath,
    ...(client ? ['--cert', client.certPath, '--key', client.keyPath] : []),
    '-X',
    method,
    `https://${host}:${certPort}${path}`,
    '-H',
    `X-M2M-Origin: ${from}`,
    '-H',
    'X-M2M-RI: d1',
    '-H',
    'X-M2M-RVI: 3',
  ]);
  return {
    status: Number(/^HTTP\/[\d.]+ (\d{3})/m.exec(r.stdout)?.[1] ?? 0),
    rsc: Number(/x-m2m-rsc: *(\d+)/i.exec(r.stdout)?.[1] ?? 0),
    out: r.stdout,
  };
}

describe('the docker compose configuration (profile "secure")', () => {
  it('starts in the secure profile without the development warning', () => {
    expect(cse.output()).not.toMatch(/DEVELOPMENT PROFILE/);
  });

  it("the compose's setup script creates the ACP and container as the administrator, over mutual TLS", async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [join(repo, 'infra', 'docker', 'scripts', 'setup-in-cse.mjs')], {
        env: { ...process.env, IN_CSE_URL: `https://127.0.0.1:${certPort}`, PKI: pki },
      });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/created m2m:acp \(2001\)/);
    expect(r.out).toMatch(/created m2m:cnt \(2001\)/);
  });

  it('plain listener: no admin right, no data, no registration for anyone', async () => {
    const base = m2m(cse.url, 'GET', '/cse-in', { from: 'CAdmin' });
    expect(Object.keys((await base).body['m2m:cb']).sort()).toEqual(['csi', 'cst', 'poa', 'ri', 'rn', 'srv', 'ty']);
    expect((await m2m(cse.url, 'GET', '/cse-in?fu=1', { from: 'CAdmin' })).body['m2m:uril']).toBeUndefined();
    for (const path of ['/cse-in/data', '/cse-in/acpData']) {
      expect((await m2m(cse.url, 'GET', path, { from: 'CAdmin' })).rsc, path).toBe(4107);
      expect((await m2m(cse.url, 'DELETE', path, { from: 'CAdmin' })).rsc, path).toBe(4107);
    }
    const reg = await m2m(cse.url, 'POST', '/cse-in', {
      from: 'Cae2',
      ty: 2,
      body: { 'm2m:ae': { api: 'Nviewer', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc).toBe(4107);
  });

  it('certificate listener: no client certificate gets no handshake; an AE certificate is no administrator', async () => {
    const none = await curl(undefined, 'GET', '/cse-in/data', 'CAdmin');
    expect(none.status).toBe(0);
    const asAdmin = await curl(viewer, 'GET', '/cse-in/acpData', 'CAdmin');
    expect(asAdmin.rsc, asAdmin.out).toBe(4106);
  });

  it('the audit log shows the setup as the operator and the refusals', async () => {
    const adminCert = { certPath: join(pki, 'admin.pem'), keyPath: join(pki, 'admin.key') } as Issued;
    const r = await curl(adminCert, 'GET', '/.well-known/m2msec/audit', 'CAdmin');
    expect(r.status, r.out).toBe(200);
    const events = JSON.parse(r.out.split('\r\n\r\n').slice(1).join('\r\n\r\n')).events as any[];
    expect(events.filter((e) => e.kind === 'administrative-action' && e.rsc === 2001)).toHaveLength(2);
    expect(events.some((e) => e.kind === 'authentication-failure' && e.channel === 'http' && e.rsc === 4107)).toBe(
      true,
    );
    expect(events.some((e) => e.kind === 'authentication-failure' && e.rsc === 4106)).toBe(true);
  });
});
