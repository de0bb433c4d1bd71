import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  initSoftHsm2Token,
  openPkcs11SecureEnvironment,
  openSoftwareSecureEnvironment,
  type SecureEnvironment,
  type SecureEnvironmentLogger,
  SOFTHSM2_LIBRARY,
} from '@m2msec/secure-environment';

export const tmp = (p: string) => mkdtempSync(join(tmpdir(), `m2msec-sd-${p}-`));

let hsmDir: string | undefined;

export interface SeMaker {
  name: string;
  /** Opens a fresh SE; `reopen` opens the same store again. */
  make(
    audit?: (e: AuditEvent) => void,
    logger?: SecureEnvironmentLogger,
  ): Promise<{ se: SecureEnvironment; reopen: () => Promise<SecureEnvironment>; files: string }>;
}

export const seMakers: SeMaker[] = [
  {
    name: 'software SE',
    async make(audit, logger) {
      const dir = tmp('sw');
      const o = {
        path: join(dir, 'keystore.json'),
        passphrase: 'pass phrase',
        scrypt: { N: 2 ** 12, r: 8, p: 1 },
        audit,
        logger,
      };
      return { se: await openSoftwareSecureEnvironment(o), reopen: () => openSoftwareSecureEnvironment(o), files: dir };
    },
  },
  {
    name: 'PKCS#11 SE',
    async make(audit, logger) {
      hsmDir ??= tmp('hsm');
      const tokenLabel = `sd-${randomBytes(4).toString('hex')}`;
      const { configPath } = initSoftHsm2Token({ dir: hsmDir, label: tokenLabel, soPin: '87654321', pin: '1111' });
      process.env.SOFTHSM2_CONF = configPath;
      const o = { library: SOFTHSM2_LIBRARY, tokenLabel, pin: '1111', audit, logger };
      return {
        se: await openPkcs11SecureEnvironment(o),
        reopen: () => openPkcs11SecureEnvironment(o),
        files: join(hsmDir, 'tokens'),
      };
    },
  },
];
