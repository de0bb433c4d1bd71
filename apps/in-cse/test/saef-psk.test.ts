// Issue 5 "Must show" (PSK and DerivedKey): the IN-CSE as its own process with a TLS-PSK listener,
// Kpsa provisioned through the admin CLI into the SE in its data directory; openssl s_client and
// gnutls-cli as independent clients; AE registration inside an association; DerivedKey identities
// from a trust anchor with the persistent 64-entry window across a restart.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DerivedKeyTrustAnchor, OneM2MClient } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m2m } from './harness.js';
import {
  credentialsCli,
  gnutlsPsk,
  opensslPsk,
  parseRaw,
  prepareSecureInCse,
  rawRequest,
  type SecureInCse,
} from './saef-setup.js';

const adminId = 'kpsa-admin@mef.m2msec.org';
const adminKey = randomBytes(32).toString('hex');
const aeId = 'kpsa-sensor@mef.m2msec.org';
const aeKey = randomBytes(32);
const kRsTa = randomBytes(32);

let s: SecureInCse;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

beforeAll(async () => {
  // Administrators are principals bound to credentials (docs/administration.md), not AE bindings.
  const prepared = await prepareSecureInCse(
    {
      administrators: [
        { name: 'kpsa-admin', originator: 'CAdmin', credentialId: `12-${adminId}` },
        { name: 'dk-admin', originator: 'CAdmin', credentialId: '12-DK.ta1.Cdk1' },
      ],
    },
    {
      registration: {
        appRules: [
          { name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] },
          { name: 'kpsa-sensors', applicableCredIDs: [`12-${aeId}`], allowedAppIDs: ['Nsensor'], allowedAEs: ['*'] },
        ],
      },
    },
  );
  const cli = (args: string[], input?: string) => credentialsCli(prepared.configPath, prepared.dataDir, args, input);
  // Keys from owner-only files or stdin, never argv (issue 12 item 8).
  const keyDir = mkdtempSync(join(tmpdir(), 'm2msec-keys-'));
  const keyFile = (name: string, hex: string) => {
    const f = join(keyDir, name);
    writeFileSync(f, hex, { mode: 0o600 });
    return f;
  };
  expect(cli(['add-psk', '--id', adminId, '--key-file', keyFile('admin.hex', adminKey)])).toContain(`12-${adminId}`);
  cli(['add-psk', '--id', aeId, '--key-file', '-'], aeKey.toString('hex'));
  cli(['add-dk-ta', '--ta-id', 'ta1', '--key-file', keyFile('ta1.hex', kRsTa.toString('hex'))]);
  expect(cli(['list'])).toContain(`Kpsa\t${aeId}`);
  expect(cli(['list'])).not.toContain(aeKey.toString('hex'));
  s = await prepared.start();
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
});

afterAll(async () => {
  await s?.cse.stop();
  await taStore?.close();
});

const getCseBase = rawRequest('GET', '/cse-in', 'CAdmin');

describe('TLS-PSK listener with independent clients', () => {
  it('openssl s_client (TLS 1.2, TLS_PSK_WITH_AES_128_CBC_SHA256) gets the CSEBase', async () => {
    const r = await opensslPsk(s.pskPort, adminId, adminKey, getCseBase, [
      '-tls1_2',
      '-cipher',
      'PSK-AES128-CBC-SHA256',
    ]);
    const rsp = parseRaw(r.stdout);
    expect(rsp.rsc, r.stdout + r.stderr).toBe(2000);
    expect(rsp.body['m2m:cb']).toMatchObject({ csi: '/id-in', rn: 'cse-in' });
  });

  it('openssl s_client over TLS 1.3 PSK gets the CSEBase', async () => {
    const r = await opensslPsk(s.pskPort, adminId, adminKey, getCseBase, ['-tls1_3']);
    expect(parseRaw(r.stdout).rsc, r.stderr).toBe(2000);
  });

  it('gnutls-cli (TLS 1.2 PSK) gets the CSEBase', async () => {
    const r = await gnutlsPsk(s.pskPort, adminId, adminKey, getCseBase);
    const rsp = parseRaw(r.stdout);
    expect(rsp.rsc, r.stdout + r.stderr).toBe(2000);
    expect(rsp.body?.['m2m:cb']?.csi, JSON.stringify(r.stdout)).toBe('/id-in');
  });

  it('refuses a wrong PSK and an unknown identity', async () => {
    const wrong = await opensslPsk(s.pskPort, adminId, randomBytes(32).toString('hex'), getCseBase, ['-tls1_2']);
    expect(parseRaw(wrong.stdout).status).toBe(0);
    const unknown = await opensslPsk(s.pskPort, 'nobody@mef.m2msec.org', adminKey, getCseBase, ['-tls1_2']);
    expect(parseRaw(unknown.stdout).status).toBe(0);
    expect(unknown.stderr).toMatch(/unknown psk identity/);
    const g = await gnutlsPsk(s.pskPort, adminId, randomBytes(32).toString('hex'), getCseBase);
    expect(parseRaw(g.stdout).status).toBe(0);
  });
});

describe('AE registration inside a Kpsa association', () => {
  let aei: string;
  const client = () =>
    new OneM2MClient({
      baseUrl: `https://127.0.0.1:${s.pskPort}`,
      framework: { kind: 'psk', identity: aeId, key: aeKey },
    });

  it('the assigned AE-ID becomes bound: the next request with it passes, another AE-ID gets 4106', async () => {
    const c = client();
    const ae = await c.request({
      op: 1,
      to: 'cse-in',
      from: 'C',
      ty: 2,
      pc: { 'm2m:ae': { rn: 'psk-sensor', api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    expect(ae.rsc, JSON.stringify(ae.pc)).toBe(2001);
    aei = ae.pc['m2m:ae'].aei;
    expect(aei).toMatch(/^C/);
    const cnt = await c.request({
      op: 1,
      to: 'cse-in/psk-sensor',
      from: aei,
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'temp' } },
    });
    expect(cnt.rsc, JSON.stringify(cnt.pc)).toBe(2001);
    const impersonation = await c.request({ op: 2, to: 'cse-in/psk-sensor', from: 'Cxyz' });
    expect(impersonation.rsc).toBe(4106);
    expect(impersonation.status).toBe(403);
    c.close();
  });

  it('a new session with the same credential after a restart is bound to the same AE-ID', async () => {
    await s.restart();
    const c = client();
    const r = await c.request({ op: 2, to: 'cse-in/psk-sensor', from: aei });
    expect(r.rsc, JSON.stringify(r.pc)).toBe(2000);
    expect(r.pc['m2m:ae'].aei).toBe(aei);
    c.close();
  });

  it('the same AE-ID over plain HTTP is refused: it is bound to its credential (issue 12, 4106)', async () => {
    // Before issue 12 this answered 2000: anyone on the plain listener could act as the PSK-registered AE.
    const plain = await m2m(s.cse.url, 'GET', '/cse-in/psk-sensor', { from: aei });
    expect(plain.rsc).toBe(4106);
  });
});

describe('DerivedKey identities (openssl s_client -psk <derived> -psk_identity DK....)', () => {
  const connect = async (identity: string, key: Buffer) =>
    parseRaw((await opensslPsk(s.pskPort, identity, key.toString('hex'), getCseBase, ['-tls1_2'])).stdout);

  it('a fresh sequence number connects; the same identity, a number left of the window and a revoked one are refused', async () => {
    const grants = [];
    for (let i = 0; i < 70; i++) grants.push(await ta.issue('Cdk1'));
    const fresh = await connect(grants[3]!.identity, grants[3]!.key);
    expect(fresh.rsc).toBe(2000);
    expect((await connect(grants[3]!.identity, grants[3]!.key)).status).toBe(0);
    expect((await connect(grants[69]!.identity, grants[69]!.key)).rsc).toBe(2000);
    expect((await connect(grants[1]!.identity, grants[1]!.key)).status).toBe(0); // 68 behind: left of the window
    const revocation = ta.revoke([grants[50]!.sequenceNumber]);
    const applied = await fetch(`${s.cse.url}/.well-known/m2msec/dk-revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(revocation),
    });
    expect(applied.status).toBe(200);
    const forged = await fetch(`${s.cse.url}/.well-known/m2msec/dk-revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...revocation, sequenceNumbers: ['60'] }),
    });
    expect(forged.status).toBe(400);
    expect((await connect(grants[50]!.identity, grants[50]!.key)).status).toBe(0);
    expect((await connect(grants[60]!.identity, grants[60]!.key)).rsc).toBe(2000);
    // A wrong key for a fresh identity fails the handshake too.
    expect((await connect(grants[61]!.identity, randomBytes(32))).status).toBe(0);

    await s.restart();
    expect((await connect(grants[3]!.identity, grants[3]!.key)).status).toBe(0);
    expect((await connect(grants[69]!.identity, grants[69]!.key)).status).toBe(0);
    expect((await connect(grants[60]!.identity, grants[60]!.key)).status).toBe(0);
    expect((await connect(grants[50]!.identity, grants[50]!.key)).status).toBe(0);
    const after = await ta.issue('Cdk1');
    expect((await connect(after.identity, after.key)).rsc).toBe(2000);
  });
});
