// GBA-based RSPF end to end (TS-0003 8.3.2.3, 8.1.3): the MEF process is the BSF, the IN-CSE process the
// NAF (Enrolment Target, NAF FQDN id-in.m2msec.org = the CSE-ID's public domain name), the device the
// m2msec-enrol gba CLI (bootstrap, Ks_NAF). The device then opens TLS-PSK to the IN-CSE with
// psk_identity = B-TID and psk = Ks_NAF: the IN-CSE has never seen the B-TID, fetches Ks_NAF over the Zn
// while the first handshake waits, binds it to the subscriber's Enrolee-ID, and the AE registers.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OneM2MClient } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Processes on a shared 2-core machine: generous per-test time.
vi.setConfig({ testTimeout: 120_000 });

import { freePort } from './harness.js';
import { enrolCli, type MefProcess, startMefProcess } from './rspf-setup.js';
import {
  credentialsCli,
  opensslPsk,
  parseRaw,
  prepareSecureInCse,
  rawRequest,
  type SecureInCse,
} from './saef-setup.js';

const BSF_DOMAIN = 'bsf.mef.m2msec.org';
const NAF = 'id-in.m2msec.org'; // '/id-in' in SP 'm2msec.org' (TS-0001 6.5.1.1)
const work = mkdtempSync(join(tmpdir(), 'm2msec-gba-e2e-'));
let secrets = 0;
/** A key as an owner-only hex file: keys never go on a command line (issue 12 item 8). */
const secret = (key: Uint8Array): string => {
  const f = join(work, `secret-${++secrets}.hex`);
  writeFileSync(f, Buffer.from(key).toString('hex'), { mode: 0o600 });
  return f;
};
const mefData = mkdtempSync(join(tmpdir(), 'm2msec-gba-mef-'));
const credential = randomBytes(24).toString('base64url');
let mef: MefProcess;
let s: SecureInCse;
let znPort: number;
const reservedKpsaIds: Array<{ id: string; error: string }> = [];

function mefConfig(keyLifetimeSeconds: number): string {
  const file = join(work, `mef-${keyLifetimeSeconds}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      gba: {
        bsfDomain: BSF_DOMAIN,
        keyLifetimeSeconds,
        ub: { host: '127.0.0.1', port: 0 },
        zn: {
          host: '127.0.0.1',
          port: znPort,
          cert: join(work, 'zn.crt'),
          key: join(work, 'zn.key'),
          nafCredentials: [{ nafFqdn: NAF, credentialFile: join(work, 'naf.credential') }],
        },
      },
    }),
  );
  return file;
}
const startMef = (keyLifetimeSeconds: number) =>
  startMefProcess({ M2MSEC_MEF_CONFIG: mefConfig(keyLifetimeSeconds), M2MSEC_MEF_DATA_DIR: mefData });

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=zn',
    ].concat(['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(work, 'zn.key'), '-out', join(work, 'zn.crt')]),
    { stdio: 'ignore' },
  );
  writeFileSync(join(work, 'naf.credential'), `${credential}\n`, { mode: 0o600 });
  znPort = await freePort();
  mef = await startMef(3600);
  const prepared = await prepareSecureInCse(
    {
      gba: {
        znUrl: `https://127.0.0.1:${znPort}/zn`,
        bsfDomain: BSF_DOMAIN,
        credentialFile: join(work, 'naf.credential'),
        znCa: join(work, 'zn.crt'),
      },
    },
    {
      registration: {
        appRules: [
          // GBA devices: psk_identity = B-TID, so Credential-ID 12-<base64 RAND>@<BSF domain>.
          {
            name: 'gba-devices',
            applicableCredIDs: [`12-*@${BSF_DOMAIN}`],
            allowedAppIDs: ['Nsensor'],
            allowedAEs: ['C*'],
          },
        ],
      },
    },
  );
  // Admin KpsaIDs that could be read as this BSF's B-TIDs (or their Credential-ID form) are refused.
  const rand = randomBytes(16);
  for (const id of [`${rand.toString('base64')}@${BSF_DOMAIN}`, `${rand.toString('base64url')}@${BSF_DOMAIN}`]) {
    try {
      // --id=<value>: a base64url B-TID may begin with '-', which the parser would read as an option.
      credentialsCli(prepared.configPath, prepared.dataDir, [
        'add-psk',
        `--id=${id}`,
        '--key-file',
        secret(randomBytes(32)),
      ]);
      reservedKpsaIds.push({ id, error: '' });
    } catch (e) {
      reservedKpsaIds.push({ id, error: (e as Error).message });
    }
  }
  s = await prepared.start();
}, 90_000);

afterAll(async () => {
  await s?.cse.stop();
  await mef?.stop();
});

let n = 0;
/** A subscriber at the MEF, then the device: m2msec-enrol gba -> B-TID and Ks_NAF for the IN-CSE. */
async function device(targets = [NAF], enroleeId?: string) {
  n++;
  const sub = {
    impi: `sensor${n}@ims.m2msec.org`,
    k: randomBytes(16),
    opc: randomBytes(16),
    aeId: enroleeId ?? `Csensor${n}`,
  };
  const put = await mef.admin('PUT', `/admin/gba/subscribers/${sub.impi}`, {
    k: sub.k.toString('hex'),
    opc: sub.opc.toString('hex'),
    enroleeId: sub.aeId,
    targets,
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const pskFile = join(work, `ks-naf-${n}.hex`);
  const r = await enrolCli(
    ['gba', '--bsf', mef.urls.gbaUb!, '--impi', sub.impi, '--k-file', secret(sub.k)].concat([
      '--opc-file',
      secret(sub.opc),
      '--naf',
      NAF,
      '--psk-out',
      pskFile,
    ]),
  );
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  return { ...sub, btid: out.btid as string, ksNaf: Buffer.from(readFileSync(pskFile, 'utf8').trim(), 'hex') };
}

const client = (identity: string, key: Buffer) =>
  new OneM2MClient({
    baseUrl: `https://127.0.0.1:${s.pskPort}`,
    framework: { kind: 'psk', identity, key },
    timeoutMs: 20_000,
  });

const registerAe = (c: OneM2MClient, aeId: string) =>
  c.request({
    op: 1,
    to: 'cse-in',
    from: aeId,
    ty: 2,
    pc: { 'm2m:ae': { rn: aeId, api: 'Nsensor', rr: false, srv: ['3'] } },
  });

const opensslGba = (btid: string, keyHex: string, request: string) =>
  opensslPsk(s.pskPort, btid, keyHex, request, ['-tls1_2', '-cipher', 'PSK-AES128-CBC-SHA256']);

describe('GBA-based RSPF: MEF as BSF, IN-CSE as NAF', () => {
  it('bootstrap -> first TLS-PSK association with the B-TID -> AE registration (2001) bound to the Enrolee-ID; openssl reads the AE back', async () => {
    const d = await device();
    expect(d.btid).toMatch(/^[A-Za-z0-9+/]{22}==@bsf\.mef\.m2msec\.org$/);
    const c = client(d.btid, d.ksNaf);
    try {
      // First attempt, no announcement: the handshake waits for the Zn fetch instead of failing.
      const r = await registerAe(c, d.aeId);
      expect(r.rsc, JSON.stringify(r.pc)).toBe(2001);
      expect(r.pc['m2m:ae'].aei).toBe(d.aeId);
      const other = await registerAe(c, 'Cimpostor');
      expect(other.rsc, JSON.stringify(other.pc)).toBe(4106); // the B-TID is bound to Csensor<n> only
    } finally {
      c.close();
    }
    // An independent TLS-PSK peer: openssl s_client -psk <Ks_NAF hex> -psk_identity <B-TID> reads the AE back.
    const peer = await opensslGba(d.btid, d.ksNaf.toString('hex'), rawRequest('GET', `/cse-in/${d.aeId}`, d.aeId));
    const got = parseRaw(peer.stdout);
    expect(got.rsc, peer.stdout + peer.stderr).toBe(2000);
    expect(got.body['m2m:ae'].aei).toBe(d.aeId);
    expect(s.cse.output()).not.toContain(d.ksNaf.toString('hex'));
  });

  it('a subscriber whose Enrolee-ID is the administrator originator is never bound (issue 12): no handshake', async () => {
    // Before issue 12 the IN-CSE bound the B-TID to CAdmin and the device was a full administrator.
    const d = await device([NAF], 'CAdmin');
    const peer = await opensslGba(d.btid, d.ksNaf.toString('hex'), rawRequest('GET', '/cse-in', 'CAdmin'));
    expect(parseRaw(peer.stdout).status, peer.stdout).toBe(0);
    const deadline = Date.now() + 15_000;
    while (
      !/Enrolee-ID \/id-in\/CAdmin is reserved|Enrolee-ID CAdmin is reserved/.test(s.cse.output()) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(s.cse.output()).toMatch(/Enrolee-ID (\/id-in\/)?CAdmin is reserved/);
  });

  it('refused: a wrong Ks_NAF, a B-TID of another BSF, a B-TID whose subscriber may not use this CSE', async () => {
    const d = await device();
    await expect(registerAe(client(d.btid, randomBytes(32)), d.aeId)).rejects.toThrow();
    const foreign = d.btid.replace(BSF_DOMAIN, 'bsf.elsewhere.example.com');
    await expect(registerAe(client(foreign, d.ksNaf), d.aeId)).rejects.toThrow();
    const stranger = await device(['other.m2msec.org']); // GUSS without id-in.m2msec.org: the Zn answers 403
    await expect(registerAe(client(stranger.btid, stranger.ksNaf), stranger.aeId)).rejects.toThrow();
    // The right key still works afterwards (nothing was cached wrongly).
    const c = client(d.btid, d.ksNaf);
    try {
      expect((await registerAe(c, d.aeId)).rsc).toBe(2001);
    } finally {
      c.close();
    }
  });

  it('the credentials CLI refuses KpsaIDs of the B-TID form of the configured BSF', () => {
    expect(reservedKpsaIds).toHaveLength(2);
    for (const r of reservedKpsaIds) expect(r.error, r.id).toMatch(/failed \(2\).*reserved for GBA/s);
  });

  it('an expired B-TID is refused at the IN-CSE', async () => {
    // The same MEF (same store and KEK, same Zn port) restarted with a 6 s key lifetime.
    await mef.stop();
    mef = await startMef(6);
    const d = await device([NAF]);
    const register = rawRequest('POST', '/cse-in', d.aeId, {
      ty: 2,
      body: { 'm2m:ae': { api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    const before = await opensslGba(d.btid, d.ksNaf.toString('hex'), register);
    expect(parseRaw(before.stdout).rsc, before.stdout + before.stderr).toBe(2001);
    await new Promise((r) => setTimeout(r, 7000));
    const after = await opensslGba(d.btid, d.ksNaf.toString('hex'), rawRequest('GET', `/cse-in/${d.aeId}`, d.aeId));
    expect(parseRaw(after.stdout).status, after.stdout).toBe(0); // no HTTP at all: the handshake failed
    expect(after.stderr).toMatch(/unknown psk identity/);
    // The BSF refuses it too: the key is gone everywhere. The IN-CSE's Zn fetch runs beside the failed
    // handshake, so its log line may come a moment after the client saw the refusal.
    const deadline = Date.now() + 15_000;
    while (!/BSF Zn answered 404/.test(s.cse.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(s.cse.output()).toMatch(/BSF Zn answered 404/);
  });
});
