// The MEF's decision on fullcmc revocation requests (cmcRevocation): an enrolee may revoke only a
// certificate issued to the same enrolee record as the certificate it signs with, and only while that
// signing certificate is itself unrevoked; the CRL hook runs before success is answered.
import { join } from 'node:path';
import type { EstClientIdentity } from '@m2msec/est';
import { openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { cmcRevocation, MefStore, openKeyVault } from '../src/index.js';
import { openSe, tmp } from './helpers.js';

const signer = (serialHex: string): EstClientIdentity =>
  ({
    kind: 'certificate',
    certificate: new Uint8Array(0),
    subjectAltNameText: '',
    issuedByThisCa: true,
    parsed: { serialNumber: Buffer.from(serialHex, 'hex') },
  }) as unknown as EstClientIdentity;

describe('cmcRevocation', () => {
  it('revokes a certificate of the same holder, refuses others, regenerates the CRL first', async () => {
    const raw = await openSqliteStore({ file: join(tmp(), 'mef.db') });
    const store = await MefStore.open(raw, await openKeyVault(await openSe()));
    const issued = (serialNumber: string, holder: string) =>
      store.recordIssued({
        serialNumber,
        holder,
        enroleeId: holder,
        operation: 'simpleenroll',
        issuedAt: Date.now(),
        notAfter: Date.now() + 3_600_000,
      });
    await issued('A01', 'psk:alice');
    await issued('A02', 'psk:alice');
    await issued('B01', 'psk:bob');
    let regenerated = 0;
    const decide = cmcRevocation(store, async () => {
      regenerated++;
    });
    // Another holder's certificate: refused, nothing revoked, no CRL.
    expect(await decide({ serialNumber: 'B01', requester: signer('0a01') })).toMatch(/no certificate/);
    expect((await store.issued.get('B01'))?.revokedAt).toBeUndefined();
    expect(regenerated).toBe(0);
    // An unknown serial.
    expect(await decide({ serialNumber: 'C01', requester: signer('0a01') })).toMatch(/no certificate/);
    // Its own other certificate: revoked with the reason, CRL regenerated.
    expect(await decide({ serialNumber: 'A02', reason: 'keyCompromise', requester: signer('0a01') })).toBe(true);
    expect(await store.issued.get('A02')).toMatchObject({ reason: 'keyCompromise' });
    expect(regenerated).toBe(1);
    // A revoked certificate cannot sign further revocations; a PSK session never can.
    expect(await decide({ serialNumber: 'A01', requester: signer('0a02') })).toMatch(/no certificate/);
    expect(await decide({ serialNumber: 'A01', requester: { kind: 'psk', pskIdentity: 'alice' } })).toMatch(
      /only a certificate/,
    );
    await raw.close();
  });
});
