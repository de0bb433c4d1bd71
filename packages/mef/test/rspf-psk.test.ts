import { Suid } from '@m2msec/crypto';
import { checkEnrolmentSet, currentEnrolment, enrol, fetchCredentials, targetPsk } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, MEF_FQDN, openSe, startTestMef, type TestMef } from './helpers.js';

describe('pre-provisioned symmetric key RSPF (8.3.2.1) against the MEF', () => {
  let t: TestMef;
  const kpm = hex();
  const targetKey = hex();
  beforeAll(async () => {
    t = await startTestMef();
    expect(
      (
        await t.admin('PUT', '/admin/enrolees/psk/kpm-001', {
          kpm,
          enroleeId: 'Cdevice001',
          targets: [{ targetId: '/id-in', suid: Suid.RspfSaef }],
          enrolmentExpirySeconds: 3600,
        })
      ).status,
    ).toBe(200);
    expect(
      (await t.admin('PUT', '/admin/targets/%2Fid-in', { pskIdentity: 'target-in-cse', key: targetKey })).status,
    ).toBe(200);
  });
  afterAll(() => t?.close());

  it('Kpm -> Ke -> Kpsa in one call; the target fetches the same Kpsa', async () => {
    const se = await openSe();
    const r = await enrol({
      mefUrl: t.mef.urls.psk!,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'psk', kpmId: 'kpm-001', kpm: Buffer.from(kpm, 'hex') },
      se,
      expectedTargets: ['/id-in'],
    });
    expect(r.keId).toMatch(new RegExp(`^[0-9a-f]{32}@${MEF_FQDN.replace(/\./g, '\\.')}$`));
    expect(await checkEnrolmentSet(se)).toEqual([]);
    const m = await currentEnrolment(se);
    const psk = await targetPsk(se, m, '/id-in');
    const fetched = await fetchCredentials(
      {
        mefUrl: t.mef.urls.psk!,
        mefFqdn: MEF_FQDN,
        credential: { kind: 'psk', kpmId: 'target-in-cse', kpm: Buffer.from(targetKey, 'hex') },
        targetId: '/id-in',
      },
      r.keId,
      Suid.RspfSaef,
    );
    expect(Buffer.from(fetched.key).equals(Buffer.from(psk.key))).toBe(true);
    expect(fetched.enroleeId).toBe('Cdevice001');
    expect(fetched.expiresAt).toBeLessThanOrEqual(r.expiresAt);
    await se.close();
  });
});
