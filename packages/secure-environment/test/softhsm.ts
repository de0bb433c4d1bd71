import { randomBytes } from 'node:crypto';
import { initSoftHsm2Token, SOFTHSM2_LIBRARY } from '../src/index.js';
import { tmp } from './helpers.js';

/** One private SoftHSM2 configuration per test process; a fresh token per call. */
let configPath: string | undefined;
let dir: string | undefined;

export function newSoftHsmToken(): { library: string; tokenLabel: string; pin: string; configPath: string } {
  dir ??= tmp('hsm');
  const tokenLabel = `t-${randomBytes(4).toString('hex')}`;
  const pin = '246810';
  const r = initSoftHsm2Token({ dir, label: tokenLabel, soPin: '13579135', pin });
  if (configPath === undefined) {
    configPath = r.configPath;
    process.env.SOFTHSM2_CONF = configPath;
  }
  return { library: SOFTHSM2_LIBRARY, tokenLabel, pin, configPath };
}
