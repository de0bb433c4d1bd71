// Km provisioned by a MEF (SUID 21, TS-0003 8.8.2.3): the MAF is an Enrolment Target of a real MEF
// (@m2msec/mef in this process). The enrolee enrols (Kpm -> Ke -> Km = HMAC(Ke, label || MAF-ID)),
// announces its KeID to the MAF (which fetches Km with /fetchCredentials/<KeID>/21), then performs
// MAF Client Registration with psk_identity = KeID and receives the KmID the MAF assigned
// (assignedSymmKeyID), which every later MAF Handshake uses.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { parseKmID, Suid } from '@m2msec/crypto';
import { type RunningMef, startMef } from '@m2msec/mef';
import { currentEnrolment, enrol, KEY_ANNOUNCEMENT_PATH, targetPsk } from '@m2msec/rspf';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MafClient } from '../src/index.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

const MEF_FQDN = 'mef.m2msec.org';
const MEF_TOKEN = 'mef-admin-token';
const ENROLEE = '//m2msec.org/id-in/Cenrolee';
const kpm = randomBytes(32);
const mafAtMef = randomBytes(32);

const openSe = async (dir: string): Promise<SecureEnvironment> => {
  createKeyFile(join(dir, 'ks.key'));
  return openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile: join(dir, 'ks.key') });
};

let mef: RunningMef;
let mefStore: Store;
let mefSe: SecureEnvironment;
let t: TestMaf;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maf-mef-'));
  mefSe = await openSe(dir);
  mefStore = await openSqliteStore({ file: join(dir, 'mef.db') });
  mef = await startMef({
    edge: httpEdge,
    fqdn: MEF_FQDN,
    store: mefStore,
    se: mefSe,
    psk: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: MEF_TOKEN },
    notifyTargets: false,
  });
  t = await startTestMaf({
    mef: { url: mef.urls.psk!, fqdn: MEF_FQDN, credential: { kind: 'psk', kpmId: 'maf-at-mef', kpm: mafAtMef } },
  });
  const admin = async (method: string, path: string, body: unknown) =>
    (
      await fetch(mef.urls.admin + path, {
        method,
        headers: { authorization: `Bearer ${MEF_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).status;
  expect(
    await admin('PUT', `/admin/targets/${MAF_FQDN}`, { pskIdentity: 'maf-at-mef', key: mafAtMef.toString('hex') }),
  ).toBe(200);
  expect(
    await admin('PUT', '/admin/enrolees/psk/kpm-enrolee', {
      kpm: kpm.toString('hex'),
      enroleeId: ENROLEE,
      targets: [{ targetId: MAF_FQDN, suid: Suid.RspfMaf }],
      enrolmentExpirySeconds: 3600,
    }),
  ).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await mef?.close();
  await mefStore?.close();
  await mefSe?.close();
});

describe('Km from the MEF (SUID 21)', () => {
  it('enrol, announce, register under the KeID, then use the assigned KmID', async () => {
    const se = await openSe(mkdtempSync(join(tmpdir(), 'maf-enrolee-')));
    const r = await enrol({
      mefUrl: mef.urls.psk!,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'psk', kpmId: 'kpm-enrolee', kpm },
      se,
      expectedTargets: [MAF_FQDN],
    });
    const km = await targetPsk(se, await currentEnrolment(se), MAF_FQDN);
    expect(km.identity).toBe(r.keId);
    // The enrolee announces its KeID; the MAF answers once it holds Km.
    const ann = await fetch(t.maf.urls.admin + KEY_ANNOUNCEMENT_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keID: r.keId }),
    });
    expect(ann.status).toBe(200);

    const client = new MafClient({
      mafUrl: t.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: km.identity, key: km.key },
    });
    // A KeID session may only register.
    await expect(
      client.registerKey({
        adminFQDN: ADMIN_FQDN,
        expirationTime: inMinutes(5),
        suid: 32,
        targetIDs: ['//m2msec.org/id-in'],
      }),
    ).rejects.toThrow(/register first/);
    const reg = await client.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(600) });
    expect(reg.mafClientID).toBe(ENROLEE);
    expect(parseKmID(reg.assignedSymmKeyID!).mafFqdn).toBe(MAF_FQDN);
    // The registration never outlives the Km the MEF provisioned.
    expect(Date.parse(reg.expirationTime)).toBeLessThanOrEqual(km.expiresAt);
    expect(client.credential).toMatchObject({ kind: 'psk', identity: reg.assignedSymmKeyID });
    const rec = await t.maf.store.credentials.get(`km:${reg.assignedSymmKeyID!.toLowerCase()}`);
    expect(rec).toMatchObject({ suid: 21, keId: r.keId, clientId: ENROLEE });
    // The MAF Handshake now uses KmID / Km: key registration works.
    const k = await client.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(5),
      suid: 32,
      targetIDs: ['//m2msec.org/id-in'],
    });
    expect(k.sourceMafClientID).toBe(ENROLEE);
    // Km was never in a request: a KmID handshake with another key fails.
    const forged = new MafClient({
      mafUrl: t.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: reg.assignedSymmKeyID!, key: randomBytes(32) },
    });
    await expect(forged.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) })).rejects.toThrow();
    await se.close();
  });

  it('a KeID the MEF does not know gives no MAF Handshake', async () => {
    const client = new MafClient({
      mafUrl: t.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: `${'ab'.repeat(16)}@${MEF_FQDN}`, key: randomBytes(32) },
    });
    await expect(client.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) })).rejects.toThrow();
  });
});
