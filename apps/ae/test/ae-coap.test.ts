// The reference AE over CoAP/DTLS-PSK (TS-0008) against a real Cse behind the CoAP binding: it
// registers, creates its container with an ACP, posts; a second AE's access is decided by the ACP, the
// 64 KiB reading travels block-wise.
import { type CoapBinding, createCoapBinding } from '@m2msec/binding-coap';
import { Cse } from '@m2msec/cse';
import { openSqliteStore } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceAe } from '../src/index.js';

const keys: Record<string, Buffer> = { owner: Buffer.alloc(32, 1), reader: Buffer.alloc(32, 2) };
let cse: Cse;
let binding: CoapBinding;
let url: string;

beforeAll(async () => {
  cse = await Cse.open({
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { cseId: '/id-mn', cseBaseName: 'cse-mn', cseType: 2, expirySweepMs: 0 },
  });
  binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => keys[id.toString()],
    handler: cse.handle,
  });
  url = `coaps://127.0.0.1:${(await binding.listen()).port}`;
});
afterAll(async () => {
  await binding?.close();
  await cse?.stop();
});

const ae = (stem: string, identity: string, extra: Partial<ConstructorParameters<typeof ReferenceAe>[0]> = {}) =>
  new ReferenceAe({
    registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
    transport: { kind: 'coap', url, psk: { identity, key: keys[identity]! } },
    stem,
    appId: 'Nsensor',
    ...extra,
  });

describe('ReferenceAE over CoAP/DTLS', () => {
  it('registers, creates its container with an ACP, posts; the ACP decides who reads; 64 KiB block-wise', async () => {
    const owner = ae('Ccoapowner', 'owner', {
      container: { rn: 'readings', acp: [{ acor: ['/id-mn/Ccoapreader'], acop: 2 }] },
    });
    const reader = ae('Ccoapreader', 'reader');
    await owner.start();
    await reader.start();
    expect(owner.aeId).toBe('/id-mn/Ccoapowner');
    expect((await owner.post({ t: 21.5 })).rsc).toBe(2001);
    const la = await reader.retrieve('cse-mn/Ccoapowner/readings/la');
    expect(la.rsc).toBe(2000);
    expect(JSON.parse((la.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con)).toEqual({ t: 21.5 });
    const big = 'z'.repeat(64 * 1024);
    expect((await owner.post(big)).rsc).toBe(2001);
    const la2 = await reader.retrieve('cse-mn/Ccoapowner/readings/la');
    expect((la2.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe(big);
    await Promise.all([owner.close(), reader.close()]);
  });
});
