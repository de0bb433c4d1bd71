// Administrating-stakeholder controls on the MEF: bearer token, revocation (no new enrolment, no
// more /fetchCredentials), wrong Kpm, and no key in the store or the logs in the clear.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enrol, fetchCredentials } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, MEF_FQDN, openSe, startTestMef, type TestMef } from './helpers.js';

let t: TestMef;
const kpm = hex();
const targetKey = hex();
const logs: string[] = [];

beforeAll(async () => {
  t = await startTestMef({
    log: {
      info: (m, f) => logs.push(m + JSON.stringify(f ?? {})),
      warn: (m, f) => logs.push(m + JSON.stringify(f ?? {})),
    },
  });
  await t.admin('PUT', '/admin/enrolees/psk/kpm-rev', {
    kpm,
    enroleeId: 'Crevoked',
    targets: [{ targetId: '/id-in', suid: 22 }],
    enrolmentExpirySeconds: 3600,
  });
  await t.admin('PUT', '/admin/targets/%2Fid-in', { pskIdentity: 'in-cse-target', key: targetKey });
});
afterAll(() => t?.close());

const target = () => ({
  mefUrl: t.mef.urls.psk!,
  mefFqdn: MEF_FQDN,
  credential: { kind: 'psk' as const, kpmId: 'in-cse-target', kpm: Buffer.from(targetKey, 'hex') },
  targetId: '/id-in',
});

describe('MEF administration', () => {
  it('the admin API wants its bearer token', async () => {
    const r = await fetch(`${t.mef.urls.admin}/admin/enrolees`);
    expect(r.status).toBe(401);
    const wrong = await fetch(`${t.mef.urls.admin}/admin/enrolees`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('validates registrations with precise errors', async () => {
    const bad = await t.admin('PUT', '/admin/enrolees/psk/x', {
      kpm: 'zz',
      enroleeId: 'C1',
      targets: [],
      enrolmentExpirySeconds: 3600,
    });
    expect(bad).toMatchObject({ status: 400, body: { error: expect.stringMatching(/kpm must be/) } });
    const noExp = await t.admin('PUT', '/admin/enrolees/psk/x', { kpm: hex(), enroleeId: 'C1', targets: [] });
    expect(noExp.body.error).toMatch(/enrolmentExpirySeconds/);
    const badSuid = await t.admin('PUT', '/admin/enrolees/psk/x', {
      kpm: hex(),
      enroleeId: 'C1',
      targets: [{ targetId: '/id-in', suid: 5 }],
      enrolmentExpirySeconds: 3600,
    });
    expect(badSuid.body.error).toMatch(/m2m:suid/);
    const clash = await t.admin('PUT', '/admin/targets/%2Fother', { pskIdentity: 'kpm-rev', key: hex() });
    expect(clash.status).toBe(409);
  });

  it('a wrong Kpm fails the MEF Handshake and stores nothing', async () => {
    const se = await openSe();
    await expect(
      enrol({
        mefUrl: t.mef.urls.psk!,
        mefFqdn: MEF_FQDN,
        bootstrap: { kind: 'psk', kpmId: 'kpm-rev', kpm: Buffer.from(hex(), 'hex') },
        se,
      }),
    ).rejects.toThrow();
    expect(await se.listKeys()).toEqual([]);
    expect(await se.listCredentials()).toEqual([]);
    await se.close();
  });

  it('revocation: the enrolment is no longer served and the enrolee cannot enrol again', async () => {
    const se = await openSe();
    const r = await enrol({
      mefUrl: t.mef.urls.psk!,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'psk', kpmId: 'kpm-rev', kpm: Buffer.from(kpm, 'hex') },
      se,
    });
    expect((await fetchCredentials(target(), r.keId, 22)).enroleeId).toBe('Crevoked');
    const del = await t.admin('DELETE', '/admin/enrolees/psk/kpm-rev');
    expect(del).toMatchObject({ status: 200, body: { revokedEnrolments: 1 } });
    await expect(fetchCredentials(target(), r.keId, 22)).rejects.toThrow(/revoked/);
    await expect(
      enrol({
        mefUrl: t.mef.urls.psk!,
        mefFqdn: MEF_FQDN,
        bootstrap: { kind: 'psk', kpmId: 'kpm-rev', kpm: Buffer.from(kpm, 'hex') },
        se,
      }),
    ).rejects.toThrow();
    const list = await t.admin('GET', '/admin/enrolments?enroleeId=Crevoked');
    expect(list.body.map((e: { state: string }) => e.state)).toEqual(['revoked']);
    expect(JSON.stringify(list.body)).not.toMatch(/sealedKe/);
    await se.close();
  });

  it('no Kpm, Ke or target key in the clear in the store, the SE keystore or the logs', async () => {
    const db = readFileSync(join(t.dir, 'mef.db'));
    const ks = readFileSync(join(t.dir, 'ks.json'));
    for (const secret of [kpm, targetKey]) {
      for (const form of [
        secret,
        Buffer.from(secret, 'hex').toString('base64'),
        Buffer.from(secret, 'hex').toString('base64url'),
      ]) {
        expect(db.includes(Buffer.from(form))).toBe(false);
        expect(ks.includes(Buffer.from(form))).toBe(false);
        expect(logs.join('\n')).not.toContain(form);
      }
      expect(db.includes(Buffer.from(secret, 'hex'))).toBe(false);
    }
  });
});

describe('MEF housekeeping', () => {
  it('purges expired enrolments and pending ones never attested, keeps live complete ones', async () => {
    const base = { enroleeId: 'Cp', principal: 'psk:p', targets: [], sealedKe: 'x' };
    const now = Date.now();
    await t.mef.store.enrolments.put('live@mef', {
      ...base,
      keId: 'live@mef',
      createdAt: now,
      expiresAt: now + 60_000,
      state: 'complete',
    });
    await t.mef.store.enrolments.put('old-pending@mef', {
      ...base,
      keId: 'old-pending@mef',
      createdAt: now - 3_600_000,
      expiresAt: now + 60_000,
      state: 'pending',
    });
    await t.mef.store.enrolments.put('fresh-pending@mef', {
      ...base,
      keId: 'fresh-pending@mef',
      createdAt: now,
      expiresAt: now + 60_000,
      state: 'pending',
    });
    await t.mef.store.enrolments.put('expired@mef', {
      ...base,
      keId: 'expired@mef',
      createdAt: now - 10,
      expiresAt: now - 1,
      state: 'complete',
    });
    await t.mef.store.purge();
    expect(await t.mef.store.enrolments.get('live@mef')).toBeDefined();
    expect(await t.mef.store.enrolments.get('fresh-pending@mef')).toBeDefined();
    expect(await t.mef.store.enrolments.get('old-pending@mef')).toBeUndefined();
    expect(await t.mef.store.enrolments.get('expired@mef')).toBeUndefined();
  });
});
