// The MEF side of the enrolment exchange (EnrolmentExchange) driven directly over real TLS-PSK
// sessions, with the enrolee's secure environment producing the attestation: only an attestation
// of exactly the planned operations, from this session, completes an enrolment.
import type { ProvisioningAttestation, SecureEnvironment } from '@m2msec/secure-environment';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attestationKeyFromSession,
  type EndInstruction,
  EnrolmentExchange,
  enrolmentKeyFromSession,
  planOperations,
  RspfError,
} from '../src/index.js';
import { MemoryRepository, memoryVault, openSe, tlsPair } from './helpers.js';

const policy = {
  enroleeId: 'Cdev1',
  targets: [{ targetId: '/id-in', suid: 22, derivation: 'Kpsa' as const }],
  enrolmentExpirySeconds: 600,
  keyLifetimeSeconds: 60_000, // longer than Ke: must be capped (10.7)
};
const indications = {
  certificateEnrolmentIndication: false,
  mafEnrolmentIndication: false,
  remoteManagementIndication: false,
};
const principal = { kind: 'psk' as const, kpmId: 'kpm-1' };

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup() {
  const repo = new MemoryRepository({ 'kpm-1': policy });
  const completed: string[] = [];
  const exchange = new EnrolmentExchange({
    mefFqdn: 'mef.m2msec.org',
    repository: repo,
    vault: memoryVault,
    onComplete: (r) => completed.push(r.keId),
  });
  const pair = await tlsPair();
  const se = await openSe();
  cleanups.push(
    () => pair.close(),
    () => se.close(),
  );
  return { repo, exchange, pair, se, completed };
}

/** The enrolee side: derive Ke from its socket and attest the plan (optionally tampered). */
async function attestPlan(
  se: SecureEnvironment,
  client: Parameters<typeof enrolmentKeyFromSession>[0],
  end: EndInstruction,
  skip = 0,
) {
  const { ke } = enrolmentKeyFromSession(client, 'mef.m2msec.org');
  await se.importKey({ id: 'att', algorithm: 'HMAC', usages: ['mac'] }, attestationKeyFromSession(client));
  const ops = planOperations(end.provisioning, ke, end.targets).slice(skip);
  const session = await se.beginProvisioning(end.provisioning.issuer, 'att');
  for (const op of ops) session.stage(op);
  return session.commit(Buffer.from(end.provisioning.nonce, 'base64url'));
}

describe('EnrolmentExchange', () => {
  it('plan -> attestation -> complete; Kpsa lifetime capped at Ke', async () => {
    const { repo, exchange, pair, se, completed } = await setup();
    const first = await exchange.begin(pair.server, principal, indications);
    const end = first.instruction as EndInstruction;
    expect(end.instructionType).toBe('end');
    expect(end.targets[0]!.expirationTime).toBe(end.expirationTime);
    expect(repo.records.get(first.keID)?.state).toBe('pending');
    const attestation = await attestPlan(se, pair.client, end);
    const rec = await exchange.attest(pair.server, first.enrolmentID, { attestation, removed: [] });
    expect(rec.state).toBe('complete');
    expect(completed).toEqual([first.keID]);
  });

  it('a forged or tampered attestation leaves the enrolment pending, and cannot be retried', async () => {
    const { repo, exchange, pair, se } = await setup();
    const first = await exchange.begin(pair.server, principal, indications);
    const att = await attestPlan(se, pair.client, first.instruction as EndInstruction);
    const forged: ProvisioningAttestation = { ...att, mac: Buffer.alloc(32, 1).toString('base64url') };
    await expect(
      exchange.attest(pair.server, first.enrolmentID, { attestation: forged, removed: [] }),
    ).rejects.toMatchObject({ code: 'ATTESTATION' });
    expect(repo.records.get(first.keID)?.state).toBe('pending');
    await expect(
      exchange.attest(pair.server, first.enrolmentID, { attestation: att, removed: [] }),
    ).rejects.toBeInstanceOf(RspfError);
    expect(repo.records.get(first.keID)?.state).toBe('pending');
  });

  it('an attestation of a partial set (an operation missing) is refused', async () => {
    const { repo, exchange, pair, se } = await setup();
    const first = await exchange.begin(pair.server, principal, indications);
    const att = await attestPlan(se, pair.client, first.instruction as EndInstruction, 1);
    await expect(
      exchange.attest(pair.server, first.enrolmentID, { attestation: att, removed: [] }),
    ).rejects.toMatchObject({ code: 'ATTESTATION' });
    expect(repo.records.get(first.keID)?.state).toBe('pending');
  });

  it('unreported deletions change the transcript: refused', async () => {
    const { exchange, pair, se } = await setup();
    const first = await exchange.begin(pair.server, principal, indications);
    const att = await attestPlan(se, pair.client, first.instruction as EndInstruction);
    await expect(
      exchange.attest(pair.server, first.enrolmentID, {
        attestation: att,
        removed: [{ op: 'delete-key', id: 'rspf/old/Ke' }],
      }),
    ).rejects.toMatchObject({ code: 'ATTESTATION' });
  });

  it('an attestation made on another TLS session does not verify on this one', async () => {
    const { exchange, pair, se } = await setup();
    const other = await tlsPair();
    cleanups.push(() => other.close());
    const first = await exchange.begin(pair.server, principal, indications);
    const end = first.instruction as EndInstruction;
    // Right plan and Ke, wrong session key: as if a third party replayed the plan elsewhere.
    const { ke } = enrolmentKeyFromSession(pair.client, 'mef.m2msec.org');
    await se.importKey({ id: 'att', algorithm: 'HMAC', usages: ['mac'] }, attestationKeyFromSession(other.client));
    const session = await se.beginProvisioning(end.provisioning.issuer, 'att');
    for (const op of planOperations(end.provisioning, ke, end.targets)) session.stage(op);
    const att = await session.commit(Buffer.from(end.provisioning.nonce, 'base64url'));
    await expect(
      exchange.attest(pair.server, first.enrolmentID, { attestation: att, removed: [] }),
    ).rejects.toMatchObject({ code: 'ATTESTATION' });
  });

  it('refuses a second exchange on one handshake, unknown enrolees, bad indications and out-of-order reports', async () => {
    const { exchange, pair } = await setup();
    await expect(exchange.begin(pair.server, { kind: 'psk', kpmId: 'nobody' }, indications)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(exchange.begin(pair.server, principal, { certificateEnrolmentIndication: 'yes' })).rejects.toThrow(
      /true or false/,
    );
    const first = await exchange.begin(pair.server, principal, indications);
    await expect(exchange.begin(pair.server, principal, indications)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      exchange.report(pair.server, first.enrolmentID, { instructionType: 'certificateEnrolment', success: true }),
    ).rejects.toThrow(/outstanding/);
    await expect(
      exchange.report(pair.server, 'other-id', { instructionType: 'remoteManagement', success: true }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('instructs remote management when indicated and configured, then ends', async () => {
    const repo = new MemoryRepository({ 'kpm-1': { ...policy, remoteManagement: { uri: 'coaps://dm.m2msec.org' } } });
    const exchange = new EnrolmentExchange({ mefFqdn: 'mef.m2msec.org', repository: repo, vault: memoryVault });
    const pair = await tlsPair();
    cleanups.push(() => pair.close());
    const first = await exchange.begin(pair.server, principal, { ...indications, remoteManagementIndication: true });
    expect(first.instruction).toEqual({ instructionType: 'remoteManagement', uri: 'coaps://dm.m2msec.org' });
    const next = await exchange.report(pair.server, first.enrolmentID, {
      instructionType: 'remoteManagement',
      success: true,
    });
    expect(next.instruction.instructionType).toBe('end');
  });
});
