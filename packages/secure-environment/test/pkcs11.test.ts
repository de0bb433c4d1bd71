import { describe, expect, it } from 'vitest';
import { type AuditEvent, openPkcs11SecureEnvironment, SecureEnvironmentError } from '../src/index.js';
import { secureEnvironmentContract } from './contract.js';
import { newSoftHsmToken } from './softhsm.js';

secureEnvironmentContract('PKCS#11 (SoftHSM2)', async () => {
  const token = newSoftHsmToken();
  const events: AuditEvent[] = [];
  const open = () => openPkcs11SecureEnvironment({ ...token, audit: (e) => events.push(e) });
  let se = await open();
  return {
    get se() {
      return se;
    },
    events,
    async reopen() {
      await se.close();
      se = await open();
      return se;
    },
    dispose: () => se.close(),
  };
});

describe('PKCS#11 SE specifics', () => {
  it('reports the token and refuses a wrong PIN or an unknown token', async () => {
    const token = newSoftHsmToken();
    const se = await openPkcs11SecureEnvironment(token);
    const d = await se.describe();
    expect(d.token).toMatchObject({ manufacturer: 'SoftHSM project', hardwareSlot: false, label: token.tokenLabel });
    expect(d.protectionLevel).toBe(1);
    expect(d.capabilities.macAlgorithms).toContain('AES-CMAC');
    await se.close();
    const wrongPin = await openPkcs11SecureEnvironment({ ...token, pin: '0000' }).catch((e) => e);
    expect(wrongPin).toBeInstanceOf(SecureEnvironmentError);
    expect(wrongPin.code).toBe('AUTHENTICATION_FAILED');
    expect(wrongPin.message).not.toContain('0000');
    const unknown = await openPkcs11SecureEnvironment({ ...token, tokenLabel: 'nope' }).catch((e) => e);
    expect(unknown.code).toBe('KEYSTORE_UNREADABLE');
  });
});
