// Issue 6 "Must show": the pre-provisioned symmetric key RSPF end to end. The MEF and the IN-CSE run
// as separate processes; the enrolee is the m2msec-enrol CLI with only Kpm. It ends with Kpsa in its
// SE, the IN-CSE (Enrolment Target) fetches the same key from the MEF with /fetchCredentials, and
// the AE opens a TLS-PSK association with psk_identity = KeID and registers. The three ways the
// IN-CSE learns a KeID are each exercised: enrolee announcement, MEF notification, handshake miss.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentEnrolment, targetPsk } from '@m2msec/rspf';
import { OneM2MClient } from '@m2msec/saef';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Processes on a shared 2-core machine: generous per-test time.
vi.setConfig({ testTimeout: 120_000 });

import { enrolCli, MEF_FQDN, type MefProcess, startMefProcess } from './rspf-setup.js';
import { opensslPsk, parseRaw, prepareSecureInCse, rawRequest, type SecureInCse } from './saef-setup.js';

const RSPF_SAEF = 22; // m2m:suid: RSPF-provisioned SAEF key (TS-0004 Table 6.3.4.2.39-1)
const targetKey = randomBytes(32).toString('hex');
let mef: MefProcess;
let s: SecureInCse;
const work = mkdtempSync(join(tmpdir(), 'm2msec-rspf-e2e-'));

async function enrolee(n: number, announce = false) {
  const kpmId = `kpm-sensor-${n}`;
  const kpm = randomBytes(32).toString('hex');
  const put = await mef.admin('PUT', `/admin/enrolees/psk/${kpmId}`, {
    kpm,
    enroleeId: `Csensor${n}`,
    targets: [{ targetId: '/id-in', suid: RSPF_SAEF }],
    enrolmentExpirySeconds: 3600,
  });
  expect(put.status).toBe(200);
  const seDir = join(work, `device-${n}`);
  const kpmFile = join(work, `kpm-${n}.hex`);
  writeFileSync(kpmFile, kpm, { mode: 0o600 }); // keys never on a command line (issue 12 item 8)
  const r = await enrolCli([
    'psk',
    '--mef',
    mef.urls.psk,
    '--mef-fqdn',
    MEF_FQDN,
    '--kpm-id',
    kpmId,
    '--kpm-file',
    kpmFile,
    '--se-dir',
    seDir,
    '--target',
    '/id-in',
    ...(announce ? ['--announce', `http://127.0.0.1:${s.cse.port}/.well-known/m2msec/rspf-key`] : []),
  ]);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(r.stdout + r.stderr).not.toContain(kpm);
  // What the device holds: read back from its SE (the CLI process has exited).
  const se = await openSoftwareSecureEnvironment({
    path: join(seDir, 'keystore.json'),
    keyFile: join(seDir, 'keystore.key'),
  });
  const psk = await targetPsk(se, await currentEnrolment(se), '/id-in');
  await se.close();
  expect(psk.identity).toBe(out.keID);
  return { keId: out.keID as string, kpsa: Buffer.from(psk.key), aeId: `Csensor${n}` };
}

function client(keId: string, kpsa: Buffer) {
  return new OneM2MClient({
    baseUrl: `https://127.0.0.1:${s.pskPort}`,
    framework: { kind: 'psk', identity: keId, key: kpsa },
    timeoutMs: 20_000,
  });
}

const registerAe = (c: OneM2MClient, aeId: string, api = 'Nsensor') =>
  c.request({ op: 1, to: 'cse-in', from: aeId, ty: 2, pc: { 'm2m:ae': { rn: aeId, api, rr: false, srv: ['3'] } } });

beforeAll(async () => {
  mef = await startMefProcess();
  const keyFile = join(work, 'in-cse-mef.key');
  writeFileSync(keyFile, targetKey, { mode: 0o600 });
  const prepared = await prepareSecureInCse(
    {
      mef: {
        url: mef.urls.psk,
        fqdn: MEF_FQDN,
        targetId: '/id-in',
        pskIdentity: 'id-in@m2msec.org',
        keyFile,
        suid: RSPF_SAEF,
      },
    },
    {
      registration: {
        appRules: [
          { name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] },
          // Enrolees of this MEF: psk_identity = KeID, so Credential-ID 12-<hex>@<MEF-FQDN>.
          {
            name: 'mef-enrolees',
            applicableCredIDs: [`12-*@${MEF_FQDN}`],
            allowedAppIDs: ['Nsensor'],
            allowedAEs: ['C*'],
          },
        ],
      },
    },
  );
  s = await prepared.start();
  expect(
    (await mef.admin('PUT', '/admin/targets/%2Fid-in', { pskIdentity: 'id-in@m2msec.org', key: targetKey })).status,
  ).toBe(200);
}, 90_000);

afterAll(async () => {
  await s?.cse.stop();
  await mef?.stop();
});

describe('pre-provisioned symmetric key RSPF with the IN-CSE as Enrolment Target', () => {
  it('Kpm -> Ke -> Kpsa; the enrolee announces its KeID, the IN-CSE fetches Kpsa, the AE registers over TLS-PSK', async () => {
    const e = await enrolee(1, true);
    const c = client(e.keId, e.kpsa);
    try {
      const r = await registerAe(c, e.aeId);
      expect(r.rsc, JSON.stringify(r.pc)).toBe(2001);
      expect(r.pc['m2m:ae'].aei).toBe(e.aeId);
      // The association is bound to the Enrolee-ID the MEF named: another AE-ID is refused.
      const other = await registerAe(c, 'Cimpostor');
      expect(other.rsc, JSON.stringify(other.pc)).toBe(4106); // ORIGINATOR_NOT_AUTHENTICATED: the AE-ID is not bound to this KeID
    } finally {
      c.close();
    }
    // An independent TLS-PSK peer with the same KeID and Kpsa reads the AE back.
    const peer = await opensslPsk(
      s.pskPort,
      e.keId,
      e.kpsa.toString('hex'),
      rawRequest('GET', `/cse-in/${e.aeId}`, e.aeId),
      ['-tls1_2', '-cipher', 'PSK-AES128-CBC-SHA256'],
    );
    expect(parseRaw(peer.stdout).rsc, peer.stdout + peer.stderr).toBe(2000);
  });

  it('a wrong key under a known KeID fails the handshake', async () => {
    const e = await enrolee(2, true);
    const c = client(e.keId, randomBytes(32));
    await expect(registerAe(c, e.aeId)).rejects.toThrow();
    c.close();
  });

  it('handshake miss: the first attempt fails, the IN-CSE fetches in the background, the retry registers', async () => {
    const e = await enrolee(3, false);
    const c = client(e.keId, e.kpsa);
    try {
      let r: Awaited<ReturnType<typeof registerAe>> | undefined;
      let attempts = 0;
      for (let i = 0; i < 50 && !r; i++) {
        attempts++;
        r = await registerAe(c, e.aeId).catch(async () => {
          await new Promise((res) => setTimeout(res, 200));
          return undefined;
        });
      }
      expect(r?.rsc).toBe(2001);
      expect(attempts).toBeGreaterThan(1); // the first handshake met an unknown KeID
    } finally {
      c.close();
    }
  });

  it('MEF notification: once the enrolment is attested the MEF tells the IN-CSE, which fetches before the AE connects', async () => {
    const announceUrl = `http://127.0.0.1:${s.cse.port}/.well-known/m2msec/rspf-key`;
    expect(
      (
        await mef.admin('PUT', '/admin/targets/%2Fid-in', {
          pskIdentity: 'id-in@m2msec.org',
          key: targetKey,
          announceUrl,
        })
      ).status,
    ).toBe(200);
    const e = await enrolee(4, false);
    await mef.waitFor('"targetId":"/id-in","status":200');
    const c = client(e.keId, e.kpsa);
    try {
      const r = await registerAe(c, e.aeId);
      expect(r.rsc).toBe(2001);
    } finally {
      c.close();
    }
  });

  it('an announcement of a KeID the MEF never completed is refused, and so is a foreign MEF', async () => {
    const url = `http://127.0.0.1:${s.cse.port}/.well-known/m2msec/rspf-key`;
    const post = (keID: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keID }) });
    expect((await post(`${randomBytes(16).toString('hex')}@${MEF_FQDN}`)).status).toBe(404);
    expect((await post(`${randomBytes(16).toString('hex')}@evil.example.com`)).status).toBe(400);
  });
});
