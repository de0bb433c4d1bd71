import { seError } from '../errors.js';
import { Auditor } from '../lib/audit.js';
import type { CommonOptions, SecureEnvironment } from '../types.js';
import { acquireModule, pkcs11js, releaseModule } from './library.js';
import { Pkcs11SecureEnvironment } from './pkcs11-se.js';

export interface Pkcs11SecureEnvironmentOptions extends CommonOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** Label of the token to use. */
  tokenLabel: string;
  /** User PIN. */
  pin: string;
}

/** Open a PKCS#11 SE on the token with this label; recovers interrupted provisioning first. */
export async function openPkcs11SecureEnvironment(options: Pkcs11SecureEnvironmentOptions): Promise<SecureEnvironment> {
  const now = options.now ?? Date.now;
  const auditor = new Auditor('pkcs11', options.audit, options.logger, now);
  const m = acquireModule(options.library);
  let session: Buffer | undefined;
  try {
    const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
    if (!slot) throw seError('KEYSTORE_UNREADABLE', `no PKCS#11 token labelled '${options.tokenLabel}'`);
    session = m.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      m.C_Login(session, pkcs11js.CKU_USER, options.pin);
    } catch (err) {
      const text = (err as Error).message;
      if (!text.includes('CKR_USER_ALREADY_LOGGED_IN')) {
        throw seError(
          'AUTHENTICATION_FAILED',
          `PKCS#11 login to token '${options.tokenLabel}' failed (${text.split(':')[0]})`,
        );
      }
    }
    const se = new Pkcs11SecureEnvironment({ module: m, slot, session, auditor, logger: options.logger, now });
    options.logger?.debug('opened PKCS#11 secure environment', { token: options.tokenLabel });
    return se;
  } catch (err) {
    if (session) {
      try {
        m.C_CloseSession(session);
      } catch {}
    }
    releaseModule();
    if (err instanceof Error && err.name === 'SecureEnvironmentError') throw err;
    throw seError('BACKEND_FAILURE', `cannot open the PKCS#11 token: ${(err as Error).message}`);
  }
}
