// Issue 12 items 1 and 2 against the IN-CSE process in the secure profile: an AE cannot register as
// (or become) the administrator over any credential; no listener gives an unauthenticated client an
// admin right or an AE's data; administrators are principals bound to credentials (TLS-PSK, mTLS),
// their actions and every authentication failure land in the audit log they alone can read.
// Independent peers: openssl s_client (TLS-PSK) and curl (mutual TLS).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DerivedKeyTrustAnchor } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m2m } from './harness.js';
import {
  credentialsCli,
  opensslPsk,
  parseRaw,
  prepareSecureInCse,
  rawRequest,
  runPeer,
  type SecureInCse,
} from './saef-setup.js';

const adminPsk = 'kpsa-admin@mef.m2msec.org';
const adminKey = randomBytes(32).toString('hex');
const devPsk = 'kpsa-dev@mef.m2msec.org';
const devKey = randomBytes(32).toString('hex');
const AUDIT = '/.well-known/m2msec/audit';
const kRsTa = randomBytes(32);
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

let s: SecureInCse;
let ca: TestCa;
let adminCert: Issued;
let aeCert: Issued;
let ownCseCert: Issued;
let device: Issued;
let manufacturer: TestCa;

beforeAll(async () => {
  ca = new TestCa('admin-test');
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  adminCert = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin' });
  aeCert = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  ownCseCert = ca.issue({ san: 'DNS:id-in.m2msec.org' }); // a client certificate naming this CSE
  // A Node-ID certificate (bound to no AE-ID) from a manufacturer CA without name constraints.
  manufacturer = new TestCa('admin-test-mfr', { nameConstraints: '' });
  device = manufacturer.issue({ san: 'URI:urn:imei:356938035643809' });
  const prepared = await prepareSecureInCse(
    {
      administrators: [
        { name: 'ops-psk', originator: 'CAdmin', credentialId: `12-${adminPsk}` },
        { name: 'ops-cert', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' },
      ],
    },
    {
      profile: 'secure',
      registration: {
        // The rules of the project's own tests: '*' and 'C*' match 'CAdmin'.
        appRules: [
          { name: 'dev-any', applicableCredIDs: [`12-${devPsk}`], allowedAppIDs: ['*'], allowedAEs: ['*'] },
          { name: 'nodes', applicableCredIDs: ['34-*'], allowedAppIDs: ['*'], allowedAEs: ['C*'] },
          { name: 'certs', applicableCredIDs: ['33-*'], allowedAppIDs: ['*'], allowedAEs: ['*'] },
          { name: 'derived-keys', applicableCredIDs: ['12-DK.*'], allowedAppIDs: ['*'], allowedAEs: ['*'] },
        ],
      },
    },
  );
  const config = JSON.parse(readFileSync(prepared.configPath, 'utf8'));
  config.security.certificate = {
    host: '127.0.0.1',
    port: prepared.certPort,
    cert: server.certPath,
    key: server.keyPath,
    trustAnchors: [ca.certPath, manufacturer.certPath],
    crls: [],
    tls13: true,
  };
  writeFileSync(prepared.configPath, JSON.stringify(config));
  const cli = (args: string[], input?: string) => credentialsCli(prepared.configPath, prepared.dataDir, args, input);
  cli(['add-psk', '--id', adminPsk, '--key-file', '-'], adminKey);
  cli(['add-psk', '--id', devPsk, '--key-file', '-'], devKey);
  cli(['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'], kRsTa.toString('hex'));
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
  // The operator cannot bind the administrator's originator to an AE's credential either.
  expect(() => cli(['bind', '--credential', `12-${devPsk}`, '--ae', 'CAdmin'])).toThrow(/reserved/);
  expect(() => cli(['bind', '--credential', `12-${devPsk}`, '--ae', '/id-in'])).toThrow(/reserved/);
  s = await prepared.start();
});

afterAll(async () => {
  await s?.cse.stop();
  await taStore?.close();
});

const psk = async (identity: string, key: string, req: string) =>
  parseRaw((await opensslPsk(s.pskPort, identity, key, req, ['-tls1_2'])).stdout);

async function curl(
  client: Issued | undefined,
  method: string,
  path: string,
  from: string,
  body?: unknown,
  ty?: number,
) {
  const host = 'id-in.m2msec.org';
  const r = await runPeer('curl', [
    '-sS',
    '-i',
    '--max-time',
    '10',
    '--resolve',
    `${host}:${s.certPort}:127.0.0.1`,
    '--cacert',
    ca.certPath,
    ...(client ? ['--cert', client.certPath, '--key', client.keyPath] : []),
    '-X',
    method,
    `https://${host}:${s.certPort}${path}`,
    '-H',
    `X-M2M-Origin: ${from}`,
    '-H',
    `X-M2M-RI: c${Math.random().toString(36).slice(2)}`,
    '-H',
    'X-M2M-RVI: 3',
    '-H',
    'Accept: application/json',
    ...(body !== undefined
      ? ['-H', `Content-Type: application/json;ty=${ty}`, '--data-binary', JSON.stringify(body)]
      : []),
  ]);
  const rsc = Number(/x-m2m-rsc: *(\d+)/i.exec(r.stdout)?.[1] ?? 0);
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/m.exec(r.stdout)?.[1] ?? 0);
  const text = r.stdout.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { code: r.code, status, rsc, body: parsed, stderr: r.stderr };
}

const registerAs = (from: string) =>
  rawRequest('POST', '/cse-in', from, { ty: 2, body: { 'm2m:ae': { api: 'Nattack', rr: false, srv: ['3'] } } });

let devAe: string;

describe('attack 1: an AE registers as the administrator', () => {
  it('over TLS-PSK with an unbound Kpsa and allowedAEs "*": CAdmin and the CSE-ID are refused (4126), nothing is bound', async () => {
    const reg = await psk(devPsk, devKey, registerAs('CAdmin'));
    expect(reg.rsc, JSON.stringify(reg.body)).toBe(4126);
    expect(reg.body['m2m:dbg']).toMatch(/reserved/);
    // The same credential then claiming CAdmin is an impersonation, on this and on a later session.
    expect((await psk(devPsk, devKey, rawRequest('GET', '/cse-in', 'CAdmin'))).rsc).toBe(4106);
    // A legitimate registration of the same credential still works and is bound as before.
    const ok = await psk(devPsk, devKey, registerAs('C'));
    expect(ok.rsc, JSON.stringify(ok.body)).toBe(2001);
    devAe = ok.body['m2m:ae'].aei;
    const cnt = await psk(
      devPsk,
      devKey,
      rawRequest('POST', `/cse-in/${devAe}`, devAe, { ty: 3, body: { 'm2m:cnt': { rn: 'private' } } }),
    );
    expect(cnt.rsc).toBe(2001);
    expect((await psk(devPsk, devKey, rawRequest('GET', '/cse-in', 'CAdmin'))).rsc).toBe(4106);
  });

  it('over mutual TLS with a device (Node-ID) certificate and allowedAEs "C*": refused (4126)', async () => {
    const r = await curl(device, 'POST', '/cse-in', 'CAdmin', { 'm2m:ae': { api: 'Nx', rr: false, srv: ['3'] } }, 2);
    expect(r.rsc, JSON.stringify(r.body) + r.stderr).toBe(4126);
    expect((await curl(device, 'GET', '/cse-in', 'CAdmin')).rsc).toBe(4106);
  });

  it('over TLS-PSK with an unbound DerivedKey C_id and allowedAEs "*": refused (4126), and no administrator later', async () => {
    const g1 = await ta.issue('Cdk9');
    const reg = await psk(g1.identity, g1.key.toString('hex'), registerAs('CAdmin'));
    expect(reg.rsc, JSON.stringify(reg.body)).toBe(4126);
    const g2 = await ta.issue('Cdk9');
    expect((await psk(g2.identity, g2.key.toString('hex'), rawRequest('GET', '/cse-in', 'CAdmin'))).rsc).toBe(4106);
  });

  it('an AE-ID certificate other than the administrator’s cannot use the administrator originator (4106)', async () => {
    expect((await curl(aeCert, 'GET', `/cse-in/${devAe}`, 'CAdmin')).rsc).toBe(4106);
  });

  it('a client certificate naming the CSE’s own CSE-ID is refused at the association', async () => {
    const r = await curl(ownCseCert, 'GET', '/cse-in', '/id-in');
    expect(r.rsc).toBe(0);
    expect(r.status).toBe(0);
  });
});

describe('secure profile: an unauthenticated client gets nothing on any listener', () => {
  it('plain listener: RETRIEVE of the CSEBase tells where the TLS listeners are, and nothing more', async () => {
    for (const q of ['', '?rcn=4', '?fu=1&ty=2', '?rcn=8']) {
      const r = await m2m(s.cse.url, 'GET', `/cse-in${q}`, { from: 'CAdmin' });
      expect(r.rsc, q).toBe(2000);
      expect(Object.keys(r.body['m2m:cb']).sort()).toEqual(['csi', 'cst', 'poa', 'ri', 'rn', 'srv', 'ty']);
      expect(r.body['m2m:cb'].poa.every((p: string) => p.startsWith('https://'))).toBe(true);
      expect(JSON.stringify(r.body)).not.toContain(devAe);
    }
  });

  it('plain listener: everything else, registration included, is 4107 whatever From says', async () => {
    for (const from of ['CAdmin', devAe, '/id-in', 'Cnobody']) {
      expect((await m2m(s.cse.url, 'GET', `/cse-in/${devAe}`, { from })).rsc, from).toBe(4107);
      expect((await m2m(s.cse.url, 'GET', `/cse-in/${devAe}/private`, { from })).rsc, from).toBe(4107);
      expect((await m2m(s.cse.url, 'DELETE', `/cse-in/${devAe}`, { from })).rsc, from).toBe(4107);
    }
    const reg = await m2m(s.cse.url, 'POST', '/cse-in', {
      from: 'Cnew',
      ty: 2,
      body: { 'm2m:ae': { api: 'Nx', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc).toBe(4107);
    const audit = await fetch(`${s.cse.url}${AUDIT}`, { headers: { 'X-M2M-Origin': 'CAdmin' } });
    expect(audit.status).toBe(403);
  });

  it('TLS-PSK listener: an unknown identity gets no handshake', async () => {
    const r = await opensslPsk(
      s.pskPort,
      'nobody@mef.m2msec.org',
      adminKey,
      rawRequest('GET', `/cse-in/${devAe}`, 'CAdmin'),
      ['-tls1_2'],
    );
    expect(parseRaw(r.stdout).status).toBe(0);
    expect(r.stderr).toMatch(/unknown psk identity/);
  });

  it('certificate listener: no client certificate, no handshake', async () => {
    const r = await curl(undefined, 'GET', `/cse-in/${devAe}`, 'CAdmin');
    expect(r.status).toBe(0);
    expect(r.rsc).toBe(0);
  });
});

describe('administrators bound to credentials', () => {
  it('over TLS-PSK the administrator credential reads another AE’s data', async () => {
    const read = await psk(adminPsk, adminKey, rawRequest('GET', `/cse-in/${devAe}/private`, 'CAdmin'));
    expect(read.rsc, JSON.stringify(read.body)).toBe(2000);
    // The administrator credential with another originator is nobody.
    expect((await psk(adminPsk, adminKey, rawRequest('GET', `/cse-in/${devAe}`, 'Cops2'))).rsc).toBe(4106);
  });

  it('over mutual TLS the administrator certificate does admin work', async () => {
    const r = await curl(
      adminCert,
      'POST',
      '/cse-in',
      'CAdmin',
      {
        'm2m:acp': {
          rn: 'ops-acp',
          pv: { acr: [{ acor: ['Cx'], acop: 2 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
      1,
    );
    expect(r.rsc, JSON.stringify(r.body) + r.stderr).toBe(2001);
    expect((await curl(adminCert, 'GET', `/cse-in/${devAe}`, 'CAdmin')).rsc).toBe(2000);
  });

  it('the audit log holds the administrators’ actions and the authentication failures; only administrators read it', async () => {
    const r = await psk(adminPsk, adminKey, rawRequest('GET', `${AUDIT}?limit=1000`, 'CAdmin'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const events: any[] = r.body.events;
    const admin = events.filter((e) => e.kind === 'administrative-action');
    expect(admin).toContainEqual(
      expect.objectContaining({
        administrator: 'ops-psk',
        credential: `credentialId:12-${adminPsk}`,
        to: `cse-in/${devAe}/private`,
        rsc: 2000,
        channel: 'https-psk',
      }),
    );
    expect(admin).toContainEqual(
      expect.objectContaining({ administrator: 'ops-cert', op: 1, rsc: 2001, channel: 'https-certificate' }),
    );
    const failures = events.filter((e) => e.kind === 'authentication-failure');
    // 4106 impersonations inside associations, 4107 on the plain listener, refused handshakes.
    expect(failures).toContainEqual(
      expect.objectContaining({ originator: '/id-in/CAdmin', rsc: 4106, credential: `credentialId:12-${devPsk}` }),
    );
    expect(failures).toContainEqual(expect.objectContaining({ channel: 'http', rsc: 4107 }));
    expect(failures).toContainEqual(
      expect.objectContaining({ channel: 'https-psk', credential: 'pskIdentity:nobody@mef.m2msec.org' }),
    );
    expect(
      failures.some((e) => e.channel === 'https-certificate' && /TLS handshake failed|CSE-ID/.test(e.reason ?? '')),
    ).toBe(true);
    expect(failures).toContainEqual(expect.objectContaining({ channel: 'admin-api', rsc: 4106 }));
    // No key material in the log.
    for (const k of [adminKey, devKey]) expect(JSON.stringify(events)).not.toContain(k);
    // Reading the log is itself audited; a non-administrator association cannot read it.
    const denied = await psk(devPsk, devKey, rawRequest('GET', AUDIT, devAe));
    expect(denied.status).toBe(403);
    const kinds = await psk(adminPsk, adminKey, rawRequest('GET', `${AUDIT}?kind=administrative-action`, 'CAdmin'));
    expect(kinds.body.events.at(-1)).toMatchObject({ channel: 'admin-api', administrator: 'ops-psk' });
    expect(kinds.body.events.every((e: any) => e.kind === 'administrative-action')).toBe(true);
    expect((await psk(adminPsk, adminKey, rawRequest('GET', `${AUDIT}?limit=0`, 'CAdmin'))).status).toBe(400);
  });
});
