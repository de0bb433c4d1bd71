// No full scan on a request path (issue 11 item 6, docs/storage.md): with 10,000 unrelated records in
// each collection, every lookup a request makes reads a bounded number of entries. countReads counts
// the entries the store returns; before the indexes these paths read all 10,000 (or more).
import { join } from 'node:path';
import type { EstClientIdentity } from '@m2msec/est';
import { countReads, openSqliteStore, sortableNumber } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estEnrolmentPolicy, MefStore, openKeyVault } from '../src/index.js';
import type { EnroleeRecord } from '../src/store/records.js';
import { openSe, tmp } from './helpers.js';

const N = 10_000;
const now = Date.now();
let mef: MefStore;
let reads: ReturnType<typeof countReads>['reads'];

const enrolee = (i: number): EnroleeRecord => ({
  principal: `cert:node${i}.example`,
  enroleeId: `C-node${i}`,
  targets: [],
  enrolmentExpirySeconds: 3600,
  certificateEnrolment: true,
  subjectAltNames: [`node${i}.example`],
  createdAt: now,
});

beforeAll(async () => {
  const counted = countReads(await openSqliteStore({ file: join(tmp(), 'mef.db'), synchronous: 'normal' }));
  reads = counted.reads;
  mef = await MefStore.open(counted.store, await openKeyVault(await openSe()));
  await counted.store.transaction(async (tx) => {
    for (let i = 0; i < N; i++) {
      await tx.collection<EnroleeRecord>('mef-enrolees').put(`cert:node${i}.example`, enrolee(i));
      await tx.collection('mef-targets').put(`T${i}`, { targetId: `T${i}`, certificateSan: `t${i}.example` });
      await tx.collection('mef-client-regs').put(`R${i}`, {
        ri: `R${i}`,
        mefClientID: `client${i}`,
        adminFQDN: 'admin.example',
        et: now + 3_600_000,
        ct: now,
      });
      await tx.collection('mef-key-regs').put(`K${i}`, { relativeKeyID: `K${i}`, targetIDs: [], et: now + 3_600_000 });
      await tx.collection('mef-enrolments').put(`E${i}`, {
        keId: `E${i}`,
        enroleeId: `C-node${i}`,
        state: 'complete',
        createdAt: now,
        expiresAt: now + 3_600_000,
      });
      await tx.collection('mef-issued-certificates').put(`${i.toString(16).toUpperCase()}`, {
        serialNumber: i.toString(16).toUpperCase(),
        holder: `cert:node${i}.example`,
        enroleeId: `C-node${i}`,
        operation: 'simpleenroll',
        issuedAt: now,
        notAfter: now + 3_600_000,
        ...(i % 1000 === 0 ? { revokedAt: now, reason: 'unspecified' } : {}),
      });
    }
  });
}, 120_000);
afterAll(() => mef?.close());

describe(`request paths read a bounded number of entries among ${N} unrelated ones`, () => {
  it('EST over GBA: the enrolee by Enrolee-ID (was: every enrolee on every request)', async () => {
    const policy = estEnrolmentPolicy(mef, { gbaEnroleeId: (btid) => (btid === 'btid-7' ? 'C-node7' : undefined) });
    reads.reset();
    // Only the identity and the SAN matter to this policy; the CSR's subject is not read.
    const request: Parameters<typeof policy>[0] = {
      operation: 'simpleenroll',
      clientIdentity: { kind: 'psk', pskIdentity: 'btid-7' } as EstClientIdentity,
      requestedSan: [{ type: 'dns', value: 'node7.example' }],
      subjectDer: new Uint8Array(),
      subject: '',
    };
    const d = await policy(request);
    expect(typeof d === 'object' ? d.outcome : d).toBe('allow');
    expect(reads.total).toBeLessThanOrEqual(2);
  });

  it('Mmef key registration: the client registration by client and adminFQDN (was: every registration)', async () => {
    reads.reset();
    expect((await mef.clientRegistration('client42', 'admin.example', now))?.ri).toBe('R42');
    expect(await mef.clientRegistration('client42', 'other.example', now)).toBeUndefined();
    expect(await mef.clientRegistration('client42', 'admin.example', now + 3_600_000)).toBeUndefined(); // expired
    expect(reads.total).toBeLessThanOrEqual(2);
  });

  it('credential fetch / key retrieval: targets by PSK identity and SAN (was: every target)', async () => {
    reads.reset();
    expect(await mef.targetIdsFor({ subjectAltNames: ['DNS:t9.example', 'URI:none'], pskIdentity: 'none' })).toEqual([
      'T9',
    ]);
    expect(reads.total).toBe(1);
  });

  it('enrolee revocation: its enrolments and certificates only (was: every enrolment and certificate)', async () => {
    reads.reset();
    expect(await mef.revokeEnrolee('cert:node5.example')).toBe(1);
    // the enrolee, its one certificate (read twice, revoked once: get + put in a transaction), its enrolment
    expect(reads.total).toBeLessThanOrEqual(6);
  });

  it('CRL regeneration reads the revoked unexpired certificates only, through the revoked index', async () => {
    reads.reset();
    const revoked = await mef.issued.range('revoked', { from: sortableNumber(now + 1) });
    expect(revoked.map((r) => r.value.holder)).toContain('cert:node5.example'); // revoked with its enrolee above
    expect(revoked).toHaveLength(N / 1000 + 1);
    expect(reads.total).toBe(revoked.length);
  });

  it('purge: reads only what expired (was: every enrolment, certificate and registration)', async () => {
    reads.reset();
    expect(await mef.purge()).toBe(0);
    expect(reads.total).toBe(0);
  });
});
