// MEF process configuration: defaults, then the JSON file named by M2MSEC_MEF_CONFIG, then
// environment overrides. Bad values stop the process with a message naming the field.
import { readFileSync } from 'node:fs';
import type { UserListenerPolicy } from '@m2msec/mef';
import { checkRoleMqttConfig, type RoleMqttConfig } from '@m2msec/node';

export class ConfigError extends Error {}

export interface MefConfig {
  fqdn: string;
  dataDir: string;
  /** 32-byte key-encryption key (hex file) shared by MEF instances over one PostgreSQL database. */
  kekFile?: string;
  /**
   * Key-encryption key file of the SE keystore, outside the data directory (created 0600 on first start;
   * M2MSEC_MEF_KEYSTORE_KEY_FILE), or M2MSEC_KEK. Default <dataDir>/keystore.key, accepted only while
   * kekInDataDir is true (default, with a warning; docs/hardening.md).
   */
  keystoreKeyFile?: string;
  kekInDataDir?: boolean;
  /** Path of the JSON configuration file (M2MSEC_MEF_CONFIG) when it holds secrets inline: checked like one. */
  configFile?: string;
  store: { kind: 'sqlite' } | { kind: 'postgres'; connectionString: string; schema?: string };
  psk?: { host: string; port: number };
  certificate?: { host: string; port: number; cert: string; key: string; trustAnchors: string[] };
  /**
   * Username/password option (server-only TLS + HTTP Basic / Digest, enrolment exchange and EST with
   * HTTP authentication), off unless configured; only enrolees whose `group` is in `groups` authenticate.
   */
  user?: { host: string; port: number; cert: string; key: string } & UserListenerPolicy;
  admin: { host: string; port: number; token?: string; tokenFile?: string };
  /**
   * EST at /.well-known/est with a MEF CA kept in the MEF's SE (created on first start). validitySeconds
   * is the longest certificate lifetime (the enrolee's Enrolment Expiry cuts it); crlDistributionPoints
   * are written into issued certificates; the CRL's nextUpdate is crlNextUpdateSeconds after each issue.
   */
  est: {
    enabled: boolean;
    caSubject: string;
    channelBinding: 'require' | 'if-present' | 'off';
    validitySeconds?: number;
    crlDistributionPoints?: string[];
    crlNextUpdateSeconds?: number;
  };
  /** Plain HTTP listener serving only GET /crl (the admin listener serves it as well). */
  crl?: { host: string; port: number };
  /** DSKPP at /dskpp: clients (ClientID, authentication code, K_SHARED) from configuration. */
  dskpp?: {
    clients: Array<{
      clientId: string;
      authenticationCodeHex: string;
      sharedKeyName: string;
      sharedKeyHex: string;
      /** DeviceIdentifierData a 4-pass hello must carry (4-pass finds the client by its device). */
      device?: { manufacturer?: string; serialNo?: string; model?: string };
    }>;
    /**
     * Stateless server (docs/dskpp.md): the SessionID is sealed under the key in this file (64 hex
     * characters, the same on every instance); one-time use of pass 3 through the MEF's store.
     */
    stateKeyFile?: string;
    /** Public-key 4-pass profile: the MEF's RSA certificate and key (PEM files). */
    publicKey?: { cert: string; key: string };
    /**
     * A provisioned key becomes usable (imported into the MEF's SE) when the device confirms it
     * (POST /dskpp/confirmation); one still unconfirmed this long after its final pass is deleted. Default 3600.
     */
    confirmationTimeoutSeconds?: number;
  };
  /**
   * GBA-based RSPF (TS-0003 8.3.2.3): the MEF as BSF. Ub for devices (HTTPS if cert/key), Zn over HTTPS
   * for Enrolment Targets, each authenticated by a NAF credential (a file holding the secret) or a
   * client certificate under nafTrustAnchors. Files are PEM.
   */
  gba?: {
    bsfDomain: string;
    realm?: string;
    keyLifetimeSeconds?: number;
    ub: { host: string; port: number; cert?: string; key?: string };
    /** EST over GBA TLS-PSK (B-TID / Ks_NAF for the MEF-FQDN); needs est.enabled. */
    est?: { host: string; port: number };
    zn: {
      host: string;
      port: number;
      cert: string;
      key: string;
      nafCredentials?: Array<{ nafFqdn: string; credentialFile: string }>;
      nafTrustAnchors?: string[];
    };
  };
  notifyTargets: boolean;
  /**
   * Also serve the Mmef procedures over MQTT (docs/mef.md "Mmef over MQTT"): broker URL, the MEF's broker
   * credential (cert/key or psk), receiverId (topic level, e.g. '/id-mef') and the clients' spId. Off when absent.
   */
  mqtt?: RoleMqttConfig;
  log: { level: 'info' | 'warn' | 'silent' };
  /** /metrics, /healthz, /readyz on their own listener (M2MSEC_OPS_PORT), loopback by default; off when absent. */
  opsListener?: { host?: string; port: number };
}

export const defaults: MefConfig = {
  fqdn: 'mef.m2msec.org',
  dataDir: '.data/mef',
  store: { kind: 'sqlite' },
  psk: { host: '127.0.0.1', port: 8443 },
  admin: { host: '127.0.0.1', port: 8081 },
  est: { enabled: true, caSubject: 'CN=m2msec MEF CA', channelBinding: 'if-present' },
  notifyTargets: true,
  log: { level: 'info' },
};

const port = (v: string, name: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number`);
  return n;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MefConfig {
  let c: MefConfig = structuredClone(defaults);
  if (env.M2MSEC_MEF_CONFIG) {
    try {
      const fromFile = JSON.parse(readFileSync(env.M2MSEC_MEF_CONFIG, 'utf8')) as Partial<MefConfig>;
      c = { ...c, ...fromFile };
      // The file itself is a secret file when it holds secrets inline.
      if (fromFile.admin?.token || fromFile.dskpp) c.configFile = env.M2MSEC_MEF_CONFIG;
    } catch (e) {
      throw new ConfigError(`M2MSEC_MEF_CONFIG: ${(e as Error).message}`);
    }
  }
  if (env.M2MSEC_MEF_FQDN) c.fqdn = env.M2MSEC_MEF_FQDN;
  if (env.M2MSEC_MEF_DATA_DIR) c.dataDir = env.M2MSEC_MEF_DATA_DIR;
  if (env.M2MSEC_MEF_KEK_FILE) c.kekFile = env.M2MSEC_MEF_KEK_FILE;
  if (env.M2MSEC_MEF_KEYSTORE_KEY_FILE) c.keystoreKeyFile = env.M2MSEC_MEF_KEYSTORE_KEY_FILE;
  if (env.M2MSEC_MEF_PSK_PORT)
    c.psk = { host: c.psk?.host ?? '127.0.0.1', port: port(env.M2MSEC_MEF_PSK_PORT, 'M2MSEC_MEF_PSK_PORT') };
  if (env.M2MSEC_MEF_ADMIN_PORT)
    c.admin = { ...c.admin, port: port(env.M2MSEC_MEF_ADMIN_PORT, 'M2MSEC_MEF_ADMIN_PORT') };
  if (env.M2MSEC_MEF_CRL_PORT)
    c.crl = { host: c.crl?.host ?? '127.0.0.1', port: port(env.M2MSEC_MEF_CRL_PORT, 'M2MSEC_MEF_CRL_PORT') };
  if (env.M2MSEC_OPS_PORT) c.opsListener = { ...c.opsListener, port: port(env.M2MSEC_OPS_PORT, 'M2MSEC_OPS_PORT') };
  if (env.M2MSEC_MEF_ADMIN_TOKEN) c.admin = { ...c.admin, token: env.M2MSEC_MEF_ADMIN_TOKEN };
  if (env.M2MSEC_STORE === 'postgres') {
    if (!env.M2MSEC_PG_URL) throw new ConfigError('M2MSEC_STORE=postgres needs M2MSEC_PG_URL');
    c.store = {
      kind: 'postgres',
      connectionString: env.M2MSEC_PG_URL,
      ...(env.M2MSEC_PG_SCHEMA ? { schema: env.M2MSEC_PG_SCHEMA } : {}),
    };
  }
  if (env.M2MSEC_LOG_LEVEL === 'warn' || env.M2MSEC_LOG_LEVEL === 'silent' || env.M2MSEC_LOG_LEVEL === 'info') {
    c.log = { level: env.M2MSEC_LOG_LEVEL };
  }
  if (env.M2MSEC_MEF_GBA_UB_PORT && c.gba)
    c.gba.ub = { ...c.gba.ub, port: port(env.M2MSEC_MEF_GBA_UB_PORT, 'M2MSEC_MEF_GBA_UB_PORT') };
  if (env.M2MSEC_MEF_GBA_ZN_PORT && c.gba)
    c.gba.zn = { ...c.gba.zn, port: port(env.M2MSEC_MEF_GBA_ZN_PORT, 'M2MSEC_MEF_GBA_ZN_PORT') };
  if (c.gba) checkGba(c.gba);
  checkEstLifecycle(c.est);
  if (c.mqtt !== undefined) {
    try {
      checkRoleMqttConfig(c.mqtt);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  if (!c.fqdn || !/^[A-Za-z0-9.-]{1,253}$/.test(c.fqdn)) throw new ConfigError('fqdn must be a host name');
  if (c.dskpp?.publicKey && !(c.dskpp.publicKey.cert && c.dskpp.publicKey.key))
    throw new ConfigError('dskpp.publicKey needs cert and key');
  if (!c.psk && !c.certificate)
    throw new ConfigError('configure at least one MEF Handshake listener (psk or certificate)');
  if (!c.admin.token && !c.admin.tokenFile)
    throw new ConfigError('admin.token or admin.tokenFile (or M2MSEC_MEF_ADMIN_TOKEN) is required');
  return c;
}

function checkGba(g: NonNullable<MefConfig['gba']>): void {
  if (typeof g.bsfDomain !== 'string' || !/^[a-z0-9.-]{1,253}$/.test(g.bsfDomain))
    throw new ConfigError('gba.bsfDomain must be a lower-case domain name (the B-TID suffix)');
  if (g.keyLifetimeSeconds !== undefined && !(Number.isInteger(g.keyLifetimeSeconds) && g.keyLifetimeSeconds > 0))
    throw new ConfigError('gba.keyLifetimeSeconds must be a positive integer');
  if (!g.ub || typeof g.ub.host !== 'string' || !Number.isInteger(g.ub.port))
    throw new ConfigError('gba.ub needs host and port');
  if ((g.ub.cert === undefined) !== (g.ub.key === undefined))
    throw new ConfigError('gba.ub: give both cert and key, or neither (plain HTTP)');
  if (!g.zn || typeof g.zn.host !== 'string' || !Number.isInteger(g.zn.port) || !g.zn.cert || !g.zn.key)
    throw new ConfigError('gba.zn needs host, port, cert and key (the Zn runs over HTTPS only)');
  if (!g.zn.nafCredentials?.length && !g.zn.nafTrustAnchors?.length)
    throw new ConfigError('gba.zn needs nafCredentials or nafTrustAnchors (the Zn serves only authenticated NAFs)');
}

function checkEstLifecycle(e: MefConfig['est']): void {
  if (e.validitySeconds !== undefined && !(Number.isInteger(e.validitySeconds) && e.validitySeconds >= 60))
    throw new ConfigError('est.validitySeconds must be an integer of at least 60');
  if (
    e.crlNextUpdateSeconds !== undefined &&
    !(Number.isInteger(e.crlNextUpdateSeconds) && e.crlNextUpdateSeconds >= 60)
  )
    throw new ConfigError('est.crlNextUpdateSeconds must be an integer of at least 60');
  for (const u of e.crlDistributionPoints ?? []) {
    if (typeof u !== 'string' || !/^https?:\/\/[\x21-\x7e]+$/.test(u))
      throw new ConfigError('est.crlDistributionPoints must be http(s) URLs (ASCII, no spaces)');
  }
}

/**
 * Every file of this configuration that holds a key or a shared secret: each must be readable by its owner
 * only (docs/hardening.md). The configuration file counts when it holds the admin token or DSKPP keys inline.
 */
export function secretFilesOf(c: MefConfig): Array<[path: string, what: string]> {
  const files: Array<[string, string]> = [];
  if (c.configFile) {
    files.push([c.configFile, 'configuration file holding secrets (admin.token / dskpp keys)']);
  }
  if (c.kekFile) files.push([c.kekFile, 'shared KEK file (kekFile)']);
  if (c.admin.tokenFile) files.push([c.admin.tokenFile, 'admin token file (admin.tokenFile)']);
  if (c.certificate) files.push([c.certificate.key, 'TLS private key (certificate.key)']);
  if (c.user) files.push([c.user.key, 'TLS private key (user.key)']);
  if (c.gba?.ub.key) files.push([c.gba.ub.key, 'TLS private key (gba.ub.key)']);
  if (c.gba) files.push([c.gba.zn.key, 'TLS private key (gba.zn.key)']);
  for (const n of c.gba?.zn.nafCredentials ?? []) files.push([n.credentialFile, `NAF credential of ${n.nafFqdn}`]);
  if (c.dskpp?.stateKeyFile) files.push([c.dskpp.stateKeyFile, 'DSKPP state-token key (dskpp.stateKeyFile)']);
  if (c.dskpp?.publicKey) files.push([c.dskpp.publicKey.key, 'DSKPP server private key (dskpp.publicKey.key)']);
  if (c.mqtt?.key) files.push([c.mqtt.key, 'MQTT client private key (mqtt.key)']);
  if (c.mqtt?.psk) files.push([c.mqtt.psk.keyFile, 'MQTT PSK file (mqtt.psk.keyFile)']);
  return files;
}
