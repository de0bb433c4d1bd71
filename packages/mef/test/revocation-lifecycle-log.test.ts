// The MEF's administrative revocations are lifecycle lines (issue 19 item 2), as a provisioned key is: the
// admin API revoking one enrolment, one EST certificate and a whole enrolee each give one `key-revoked`
// line naming what was revoked, read from the MEF's logger; the Kpm appears in no line.
import { enrol } from '@m2msec/rspf';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hex, MEF_FQDN, openSe, startTestMef, type TestMef } from './helpers.js';

const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
const kpm = hex();
let t: TestMef;

beforeAll(async () => {
  t = await startTestMef({
    log: {
      info: (message, fields) => lines.push({ message, ...(fields ? { fields } : {}) }),
      warn: (message, fields) => lines.push({ message, ...(fields ? { fields } : {}) }),
    },
  });
}, 60_000);
afterAll(() => t?.close());

it('revoking an enrolment, a certificate and an enrolee at the admin API are key-revoked lines without a key', async () => {
  const put = await t.admin('PUT', '/admin/enrolees/psk/kpm-log', {
    kpm,
    enroleeId: 'Clogged',
    targets: [{ targetId: '/id-in', suid: 22 }],
    enrolmentExpirySeconds: 3600,
  });
  expect(put.status).toBe(200);
  const se = await openSe();
  const enrolOnce = async () =>
    enrol({
      mefUrl: t.mef.urls.psk!,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'psk', kpmId: 'kpm-log', kpm: Buffer.from(kpm, 'hex') },
      se,
    });
  const first = await enrolOnce();
  const second = await enrolOnce();
  await t.mef.store.recordIssued({
    serialNumber: 'A1B',
    holder: 'psk:kpm-log',
    enroleeId: 'Clogged',
    operation: 'simpleenroll',
    issuedAt: Date.now(),
    notAfter: Date.now() + 3_600_000,
  });

  expect((await t.admin('DELETE', `/admin/enrolments/${encodeURIComponent(first.keId)}`)).status).toBe(200);
  expect((await t.admin('DELETE', '/admin/certificates/0A1B', { reason: 'keyCompromise' })).status).toBe(200);
  expect((await t.admin('DELETE', '/admin/enrolees/psk/kpm-log')).body).toEqual({ revokedEnrolments: 1 });

  const revoked = lines.filter((l) => l.fields?.event === 'key-revoked');
  expect(revoked.map((l) => [l.message, l.fields])).toEqual([
    ['enrolment revoked', { kind: 'lifecycle', event: 'key-revoked', by: 'admin', keId: first.keId }],
    [
      'certificate revoked',
      {
        kind: 'lifecycle',
        event: 'key-revoked',
        by: 'admin',
        serialNumber: 'A1B',
        holder: 'psk:kpm-log',
        reason: 'keyCompromise',
      },
    ],
    [
      'enrolee revoked',
      { kind: 'lifecycle', event: 'key-revoked', by: 'admin', principal: 'psk:kpm-log', revokedEnrolments: 1 },
    ],
  ]);
  // The second enrolment went with its enrolee (the count); the Kpm the admin API received is in no line.
  expect(second.keId).not.toBe(first.keId);
  const text = JSON.stringify(lines);
  for (const enc of ['hex', 'base64', 'base64url'] as const) {
    expect(text).not.toContain(Buffer.from(kpm, 'hex').toString(enc));
  }
  await se.close();
}, 60_000);
