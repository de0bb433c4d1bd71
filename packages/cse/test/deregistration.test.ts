// CseOptions.onAeDeregistration (issue 12, credential lifecycle): called with the AE-ID before an <AE>
// is deleted, by DELETE and by expiry; when it fails nothing is deleted (fail closed: the credential
// bindings cannot end up pointing at an AE-ID whose AE is gone while the unbinding was lost).
import { formatTimestamp } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { openTestCse } from './setup.js';

describe('AE deregistration hook', () => {
  it('runs with the AE-ID before DELETE removes the <AE>', async () => {
    const seen: Array<{ aei: string; stillThere: boolean }> = [];
    let probe: (() => Promise<boolean>) | undefined;
    const { send, registerAe } = await openTestCse({
      onAeDeregistration: async (aei) => {
        seen.push({ aei, stillThere: (await probe?.()) ?? false });
      },
    });
    await registerAe('Cgone');
    probe = async () => (await send({ op: 2, to: 'cse-in/Cgone', fr: 'Cgone' })).rsc === 2000;
    const r = await send({ op: 4, to: 'cse-in/Cgone', fr: 'Cgone' });
    expect(r.rsc, r.dbg).toBe(2002);
    expect(seen).toEqual([{ aei: 'Cgone', stillThere: true }]);
  });

  it('a failing hook fails the DELETE and leaves the <AE>', async () => {
    const { send, registerAe } = await openTestCse({
      onAeDeregistration: async () => {
        throw new Error('binding store down');
      },
    });
    await registerAe('Ckept');
    const r = await send({ op: 4, to: 'cse-in/Ckept', fr: 'Ckept' });
    expect(r.rsc).not.toBe(2002);
    expect((await send({ op: 2, to: 'cse-in/Ckept', fr: 'Ckept' })).rsc).toBe(2000);
  });

  it('runs when an <AE> expires, and not for other resource types', async () => {
    const seen: string[] = [];
    const { cse, send } = await openTestCse({ onAeDeregistration: async (aei) => void seen.push(aei) });
    const soon = new Date(Date.now() + 1000);
    const ae = await send({
      op: 1,
      to: 'cse-in',
      fr: 'Cbrief',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Ntest', rr: true, srv: ['3'], et: formatTimestamp(soon) } },
    });
    expect(ae.rsc, ae.dbg).toBe(2001);
    const cnt = await send({ op: 1, to: 'cse-in/Cbrief', fr: 'Cbrief', ty: 3, pc: { 'm2m:cnt': { rn: 'c' } } });
    expect(cnt.rsc).toBe(2001);
    expect((await send({ op: 4, to: 'cse-in/Cbrief/c', fr: 'Cbrief' })).rsc).toBe(2002);
    expect(seen).toEqual([]);
    expect(await cse.sweepExpired(new Date(soon.getTime() + 1000))).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual(['Cbrief']);
  });
});
