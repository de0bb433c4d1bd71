// confirmedKeyStore (the MEF's DSKPP key store): a key answered in the final pass stays 'provisioned', sealed
// and out of the SE (unusable), until the device's provisioning confirmation; a confirmation repeated after a
// crash between the SE import and the record update completes; unconfirmed keys are swept, from the SE too.
import { join } from 'node:path';
import { openSealedVault } from '@m2msec/secure-environment';
import { openStore } from '@m2msec/store';
import { afterAll, describe, expect, it } from 'vitest';
import { confirmedKeyStore, type ProvisionedKeyRecord, postConfirmation } from '../src/index.js';
import { clientFor, openSe, startServer, tmp } from './helpers.js';

describe('confirmedKeyStore', async () => {
  const mef = await openSe();
  const store = await openStore({ kind: 'sqlite', file: join(tmp('store'), 'mef.db') });
  const records = store.collection<ProvisionedKeyRecord>('dskpp-keys');
  const keys = confirmedKeyStore({
    se: mef.se,
    records,
    vault: await openSealedVault(mef.se, { kekId: 'v', label: 'v' }),
  });
  const h = await startServer({ keys });
  afterAll(async () => {
    await h.close();
    await store.close();
    await mef.se.close();
  });

  it('keeps an answered key unusable until the device confirms it, then imports it into the SE', async () => {
    const device = await openSe();
    const client = clientFor(h, device.se);
    const result = await client.fourPass();
    const rec = await records.get(result.keyId);
    expect(rec?.state).toBe('provisioned');
    const secret = Buffer.from((await keys.find(result.keyId))!.secret);
    for (const form of [secret.toString('hex'), secret.toString('base64'), secret.toString('base64url')]) {
      expect(JSON.stringify(rec)).not.toContain(form); // sealed at rest
    }
    expect(await mef.se.getKey(result.keyId)).toBeUndefined();

    const confirmation = await client.confirmation(result);
    expect(await postConfirmation(h.url, confirmation)).toMatchObject({ confirmed: true, alreadyConfirmed: false });
    expect((await records.get(result.keyId))?.state).toBe('confirmed');
    const challenge = new Uint8Array(32).fill(3);
    expect(Buffer.from(await mef.se.mac(result.keyId, challenge, 'AES-CMAC'))).toEqual(
      Buffer.from(await device.se.mac(result.keyId, challenge, 'AES-CMAC')),
    );
    // Repeated (the answer was lost): still confirmed.
    expect(await postConfirmation(h.url, confirmation)).toMatchObject({ confirmed: true, alreadyConfirmed: true });
    await device.se.close();
  });

  it('completes a confirmation cut between the SE import and the record update', async () => {
    const device = await openSe();
    const client = clientFor(h, device.se);
    const result = await client.twoPass();
    // The crash window: the key already in the SE, the record still 'provisioned'.
    const found = await keys.find(result.keyId);
    await mef.se.importKey({ algorithm: 'AES', usages: ['mac'], id: result.keyId, label: 'dskpp:x' }, found!.secret);
    expect(await postConfirmation(h.url, await client.confirmation(result))).toMatchObject({ confirmed: true });
    expect((await records.get(result.keyId))?.state).toBe('confirmed');
    await device.se.close();
  });

  it('sweeps keys left unconfirmed past the timeout, also from the SE, and keeps confirmed ones', async () => {
    const device = await openSe();
    const client = clientFor(h, device.se);
    const lost = await client.fourPass(); // never confirmed: its answer "was lost"
    const half = await client.twoPass(); // crash window of the confirmation: in the SE, record 'provisioned'
    const found = await keys.find(half.keyId);
    await mef.se.importKey({ algorithm: 'AES', usages: ['mac'], id: half.keyId, label: 'dskpp:x' }, found!.secret);
    const confirmedBefore = (await records.list()).filter((r) => r.value.state === 'confirmed').length;
    expect(await keys.sweep(60_000)).toBe(0); // not yet timed out
    expect(await keys.sweep(60_000, Date.now() + 61_000)).toBe(2);
    expect(await records.get(lost.keyId)).toBeUndefined();
    expect(await records.get(half.keyId)).toBeUndefined();
    expect(await mef.se.getKey(half.keyId)).toBeUndefined();
    expect((await records.list()).filter((r) => r.value.state === 'confirmed').length).toBe(confirmedBefore);
    expect(await postConfirmation(h.url, await client.confirmation(lost))).toMatchObject({ confirmed: false });
    await device.se.close();
  });
});
