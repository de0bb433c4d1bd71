// /fetchCredentials at the MEF (8.3.2.1 f.i-f.vii): Table 8.3.2.1-5 for an authorised target of a
// completed enrolment, Table 8.3.2.1-6 with a precise reason otherwise.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerFetchCredentials, deriveTargetKey, type EnrolmentRecord } from '../src/index.js';
import { MemoryRepository, memoryVault } from './helpers.js';

const ke = randomBytes(32);
const keId = `${randomBytes(16).toString('hex')}@mef.m2msec.org`;
const now = 1_000_000;
const grant = { targetId: '/id-in', suid: 22, derivation: 'Kpsa' as const, expirationTime: now + 5000 };

async function repoWith(state: EnrolmentRecord['state'], expiresAt = now + 10_000) {
  const repo = new MemoryRepository({});
  repo.records.set(keId, {
    keId,
    enroleeId: 'Cdev1',
    principal: 'psk:kpm-1',
    targets: [grant],
    createdAt: now - 1,
    expiresAt,
    state,
    sealedKe: await memoryVault.seal('Ke', keId, ke),
  });
  return repo;
}

const ask = (
  repo: MemoryRepository,
  o: Partial<{ keId: string; suid: string; originator: string; proven: string[] }> = {},
) =>
  answerFetchCredentials(
    {
      keId: o.keId ?? keId,
      suid: o.suid ?? '22',
      originator: 'originator' in o ? o.originator : '/id-in',
      authenticatedTargetIds: o.proven ?? ['/id-in'],
    },
    { mefFqdn: 'mef.m2msec.org', repository: repo, vault: memoryVault, now: () => now },
  );

describe('answerFetchCredentials', () => {
  it('answers Status, Credential, EnroleeID, Lifetime for the authorised target', async () => {
    const a = await ask(await repoWith('complete'));
    expect(a.rsc).toBe(2000);
    expect(a.body).toEqual({
      status: true,
      credential: deriveTargetKey(ke, grant).toString('base64'),
      enroleeID: 'Cdev1',
      lifetime: grant.expirationTime,
    });
  });
  it.each([
    ['a pending (unattested) enrolment', 'pending', {}, 4004, /no completed enrolment/],
    ['a revoked enrolment', 'revoked', {}, 4103, /revoked/],
    [
      'an originator the session did not authenticate',
      'complete',
      { proven: ['/other'] },
      4103,
      /does not authenticate/,
    ],
    [
      'a target of another enrolment',
      'complete',
      { originator: '/other', proven: ['/other'] },
      4103,
      /not an Enrolment Target/,
    ],
    ['another SUID', 'complete', { suid: '23' }, 4103, /not an Enrolment Target/],
    ['an unknown SUID', 'complete', { suid: '99' }, 4000, /m2m:suid/],
    ['no originator', 'complete', { originator: undefined }, 4000, /originator/],
    ['a KeID of another MEF', 'complete', { keId: `${'ab'.repeat(16)}@evil.example.com` }, 4004, /not issued by/],
    ['a malformed KeID', 'complete', { keId: 'nonsense' }, 4000, /not a KeID/],
  ] as const)('refuses %s (Table 8.3.2.1-6)', async (_name, state, o, rsc, reason) => {
    const a = await ask(await repoWith(state), o as never);
    expect(a.rsc).toBe(rsc);
    expect(a.body.status).toBe(false);
    expect((a.body as { errorString: string }).errorString).toMatch(reason);
    expect(JSON.stringify(a.body)).not.toContain(ke.toString('base64'));
  });
  it('refuses once Ke has expired (10.7)', async () => {
    const a = await ask(await repoWith('complete', now - 1));
    expect(a.rsc).toBe(4103);
    expect((a.body as { errorString: string }).errorString).toMatch(/expired/);
  });
});
