import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seError } from '../errors.js';

export const SOFTHSM2_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm2TokenOptions {
  /** Directory for a private softhsm2.conf and its token directory. */
  dir: string;
  label: string;
  soPin: string;
  pin: string;
}

/**
 * Create a SoftHSM2 token in a private configuration (for tests, benchmarks, development).
 * Returns the SOFTHSM2_CONF path: set process.env.SOFTHSM2_CONF to it before opening the SE.
 */
export function initSoftHsm2Token(o: SoftHsm2TokenOptions): { configPath: string; library: string } {
  const tokenDir = join(o.dir, 'tokens');
  const configPath = join(o.dir, 'softhsm2.conf');
  if (!existsSync(configPath)) {
    mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
    writeFileSync(
      configPath,
      `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
    );
  }
  const r = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', o.label, '--so-pin', o.soPin, '--pin', o.pin],
    {
      env: { ...process.env, SOFTHSM2_CONF: configPath },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0)
    throw seError(
      'BACKEND_FAILURE',
      `softhsm2-util --init-token failed: ${(r.stderr || r.error?.message || '').trim()}`,
    );
  return { configPath, library: SOFTHSM2_LIBRARY };
}
