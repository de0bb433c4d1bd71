// Issue 12 item 1: an AE can never register as, or act as, the administrator or the CSE itself,
// whatever the <serviceSubscribedAppRule> allows (TS-0004 7.3.2.7 -> 4126; TS-0004 7.3.2.1 -> 4106).
import type { TransportContext } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { openTestCse } from './setup.js';

const ae = (fr: string | undefined) => ({
  op: 1,
  to: 'cse-in',
  ...(fr === undefined ? {} : { fr }),
  ty: 2,
  pc: { 'm2m:ae': { api: 'Nattack', rr: false, srv: ['3'] } },
});

// A credential bound to no identity yet (Kpsa, DerivedKey C_id, device certificate, Kc).
const unbound: TransportContext = {
  binding: 'http',
  tls: { pskIdentity: 'fresh-device' },
  association: { boundIds: [], credentialId: '12-fresh-device', framework: 'psk' },
};

describe('reserved identities', () => {
  it('refuses CREATE <AE> with an administrator originator or the CSE-ID as stem over an unbound credential (4126)', async () => {
    const { cse } = await openTestCse({
      appRules: [
        { name: 'any', applicableCredIDs: ['*'], allowedAppIDs: ['*'], allowedAEs: ['*'] },
        { name: 'c-star', applicableCredIDs: ['*'], allowedAppIDs: ['*'], allowedAEs: ['C*'] },
      ],
      // A strict administrator check: only a credential the test never presents.
      isAdministrator: () => false,
      reservedIds: ['COps'],
    });
    for (const fr of ['CAdmin', 'COps']) {
      const r = await cse.handle({ rqi: fr, rvi: '3', ...ae(fr) } as never, unbound);
      expect(r.rsc, r.dbg).toBe(4126);
      expect(r.dbg).toMatch(/reserved/);
    }
    // Nothing was created: the AE does not exist.
    const probe = await cse.handle(
      { rqi: 'p', rvi: '3', op: 2, to: 'cse-in/CAdmin', fr: 'Csomeone' } as never,
      unbound,
    );
    expect(probe.rsc).not.toBe(2000);
  });

  it('refuses the registration even for the legacy in-process administrator and on a plain transport', async () => {
    const { send } = await openTestCse();
    expect((await send(ae('CAdmin') as never)).rsc).toBe(4126);
    expect((await send(ae('/id-in/CAdmin') as never)).rsc).not.toBe(2001);
  });

  it('an administrator originator without the administrator credential is 4106, on any transport', async () => {
    const { cse } = await openTestCse({ isAdministrator: (_o, t) => t.association?.credentialId === '12-ops' });
    const plain = await cse.handle(
      { rqi: 'a', rvi: '3', op: 2, to: 'cse-in', fr: 'CAdmin' },
      {
        binding: 'http',
        peerAddress: '127.0.0.1',
      },
    );
    expect(plain.rsc).toBe(4106);
    const other = await cse.handle(
      { rqi: 'b', rvi: '3', op: 2, to: 'cse-in', fr: 'CAdmin' },
      {
        binding: 'http',
        association: { boundIds: ['/id-in/CAdmin'], credentialId: '12-someone', framework: 'psk' },
      },
    );
    expect(other.rsc).toBe(4106);
    const ops = await cse.handle(
      { rqi: 'c', rvi: '3', op: 2, to: 'cse-in', fr: 'CAdmin' },
      {
        binding: 'http',
        association: { boundIds: [], credentialId: '12-ops', framework: 'psk' },
      },
    );
    expect(ops.rsc, ops.dbg).toBe(2000);
  });
});
