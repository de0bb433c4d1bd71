// The node configuration the credentials commands need, from the MN-CSE's own configuration: its data
// directory and KEK (the SE keystore its SAEF listeners read Kpsa / Km from), its store (Credential-ID
// bindings, PSK revocations), its CSE-ID and administrators (reserved IDs no binding may name), its GBA domain.
import { defaults, type InCseConfig } from '@m2msec/node/config';
import type { MnCseFileConfig } from './config.js';

export function credentialsConfigOf(c: MnCseFileConfig): InCseConfig {
  const d = structuredClone(defaults);
  return {
    ...d,
    profile: c.profile,
    cse: {
      ...d.cse,
      cseId: c.cse.cseId,
      cseBaseName: c.cse.cseBaseName,
      spId: c.cse.spId,
      adminOriginators: c.cse.adminOriginators,
    },
    store: c.store,
    dataDir: c.dataDir,
    security: {
      ...d.security,
      ...c.security,
      administrators: c.administrators,
      // As the MN-CSE opens its keystore (main.ts securityOptions): a KEK inside dataDir only outside 'secure'.
      kekInDataDir: c.security?.kekInDataDir ?? c.profile !== 'secure',
    },
  };
}
