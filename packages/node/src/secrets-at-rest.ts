// Secrets at rest for the IN-CSE (docs/hardening.md): the data directory 0700, the KEK outside it (or from
// M2MSEC_KEK), and a refusal to start when a secret file the configuration names is readable by group or
// others. Wiring of @m2msec/secure-environment's checks; the rules live there.
import { join } from 'node:path';
import {
  checkSecretFileMode,
  type KekSource,
  openSoftwareSecureEnvironment,
  prepareDataDir,
  resolveKekSource,
  type SecureEnvironment,
} from '@m2msec/secure-environment';
import type { InCseConfig } from './config.js';

/**
 * A KEK inside the data directory is a development convenience: refused in the `secure` profile (issue 12)
 * unless security.kekInDataDir opts in; allowed, with a warning, otherwise.
 */
export function kekInDataDirAllowed(config: InCseConfig): boolean {
  const profile = (config as { profile?: unknown }).profile;
  return config.security.kekInDataDir ?? profile !== 'secure';
}

/**
 * Every file the configuration names that holds a key or a shared secret, with what it is; and the
 * configuration file itself when it holds a private key inline (authorization.tokenDecryption.key).
 */
export function secretFilesOf(config: InCseConfig, configFile?: string): Array<[path: string, what: string]> {
  const s = config.security;
  const files: Array<[string, string]> = [];
  if (configFile && config.authorization.tokenDecryption) {
    files.push([configFile, 'configuration file holding a private key (authorization.tokenDecryption.key)']);
  }
  // An embedder may give the key inline (createMnCse's mcc.key as PEM): no file to check then.
  if (s.certificate && !s.certificate.key.includes('-----BEGIN'))
    files.push([s.certificate.key, 'TLS private key (security.certificate.key)']);
  if (config.mqtt?.key) files.push([config.mqtt.key, 'private key (mqtt.key)']);
  if (config.mqtt?.psk) files.push([config.mqtt.psk.keyFile, 'PSK file (mqtt.psk.keyFile)']);
  if (s.mef) files.push([s.mef.keyFile, 'MEF PSK file (security.mef.keyFile)']);
  if (s.gba?.credentialFile) files.push([s.gba.credentialFile, 'NAF credential file (security.gba.credentialFile)']);
  if (s.gba?.clientKey) files.push([s.gba.clientKey, 'Zn client private key (security.gba.clientKey)']);
  for (const r of config.forwarding.remoteCses) {
    files.push([r.certificate.key, `private key for ${r.cseId} (forwarding.remoteCses)`]);
  }
  const escertke = config.endToEnd?.escertke;
  if (escertke) files.push([escertke.key, 'ESCertKE private key (endToEnd.escertke.key)']);
  for (const k of config.endToEnd?.esprim.keys ?? []) {
    files.push([k.keyFile, `pairwiseESPrimKey file for ${k.kid} (endToEnd.esprim.keys)`]);
  }
  return files;
}

/** Throws SecretAtRestError naming the first secret file with group/other access and the chmod that fixes it. */
export function checkSecretFiles(config: InCseConfig, configFile?: string): void {
  for (const [path, what] of secretFilesOf(config, configFile)) checkSecretFileMode(path, what);
}

export interface OpenedInCseSe {
  se: SecureEnvironment;
  kek: KekSource;
}

/** Prepares the data directory and opens the software SE with a KEK from the environment or a key file. */
export async function openInCseSecureEnvironmentAtRest(
  config: InCseConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedInCseSe> {
  prepareDataDir(config.dataDir);
  const kek = resolveKekSource({
    dataDir: config.dataDir,
    ...(config.security.keyFile !== undefined ? { keyFile: config.security.keyFile } : {}),
    allowInsideDataDir: kekInDataDirAllowed(config),
    env,
  });
  const se = await openSoftwareSecureEnvironment({
    path: join(config.dataDir, 'keystore.json'),
    ...(kek.kind === 'env' ? { kek: kek.kek } : { keyFile: kek.keyFile }),
  });
  if (kek.kind === 'env') kek.kek.fill(0);
  return { se, kek };
}
