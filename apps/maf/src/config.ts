// MAF process configuration: defaults, then the JSON file named by M2MSEC_MAF_CONFIG, then environment
// overrides. Bad values stop the process with a message naming the field.
import { readFileSync } from 'node:fs';
import { checkRoleMqttConfig, type RoleMqttConfig } from '@m2msec/node';

export class ConfigError extends Error {}

export interface MafConfig {
  /** MAF-FQDN: KmID and Key Identifier suffix (10.3.5, 10.6). */
  fqdn: string;
  dataDir: string;
  store: { kind: 'sqlite' } | { kind: 'postgres'; connectionString: string; schema?: string };
  psk?: { host: string; port: number };
  certificate?: { host: string; port: number; cert: string; key: string; trustAnchors: string[] };
  admin: { host: string; port: number; token?: string; tokenFile?: string };
  /** Accept Km a MEF provisioned (SUID 21): the MAF's own PSK at that MEF (hex key in keyFile). */
  mef?: { url: string; fqdn: string; pskIdentity: string; keyFile: string; targetId?: string };
  notificationTimeoutMs: number;
  /**
   * Also serve the Mmaf procedures over MQTT (docs/maf.md "Mmaf over MQTT"): broker URL, the MAF's broker
   * credential (cert/key or psk), receiverId (topic level, e.g. '/id-maf') and the clients' spId. Off when absent.
   */
  mqtt?: RoleMqttConfig;
  log: { level: 'info' | 'warn' | 'silent' };
  /** /metrics, /healthz, /readyz on their own listener (M2MSEC_OPS_PORT), loopback by default; off when absent. */
  opsListener?: { host?: string; port: number };
  /**
   * Key-encryption key file of the SE keystore, outside the data directory (created 0600 on first start;
   * M2MSEC_MAF_KEYSTORE_KEY_FILE), or M2MSEC_KEK. Default <dataDir>/keystore.key, accepted only while
   * kekInDataDir is true (default, with a warning; docs/hardening.md).
   */
  keystoreKeyFile?: string;
  kekInDataDir?: boolean;
  /** Path of the JSON configuration file (M2MSEC_MAF_CONFIG) when it holds admin.token inline: checked like one. */
  configFile?: string;
}

export const defaults: MafConfig = {
  fqdn: 'maf.m2msec.org',
  dataDir: '.data/maf',
  store: { kind: 'sqlite' },
  psk: { host: '127.0.0.1', port: 8444 },
  admin: { host: '127.0.0.1', port: 8082 },
  notificationTimeoutMs: 5000,
  log: { level: 'info' },
};

const port = (v: string, name: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number`);
  return n;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MafConfig {
  let c: MafConfig = structuredClone(defaults);
  if (env.M2MSEC_MAF_CONFIG) {
    try {
      const fromFile = JSON.parse(readFileSync(env.M2MSEC_MAF_CONFIG, 'utf8')) as Partial<MafConfig>;
      c = { ...c, ...fromFile };
      // The file itself is a secret file when it holds secrets inline.
      if (fromFile.admin?.token) c.configFile = env.M2MSEC_MAF_CONFIG;
    } catch (e) {
      throw new ConfigError(`M2MSEC_MAF_CONFIG: ${(e as Error).message}`);
    }
  }
  if (env.M2MSEC_MAF_FQDN) c.fqdn = env.M2MSEC_MAF_FQDN;
  if (env.M2MSEC_MAF_DATA_DIR) c.dataDir = env.M2MSEC_MAF_DATA_DIR;
  if (env.M2MSEC_MAF_KEYSTORE_KEY_FILE) c.keystoreKeyFile = env.M2MSEC_MAF_KEYSTORE_KEY_FILE;
  if (env.M2MSEC_MAF_PSK_PORT)
    c.psk = { host: c.psk?.host ?? '127.0.0.1', port: port(env.M2MSEC_MAF_PSK_PORT, 'M2MSEC_MAF_PSK_PORT') };
  if (env.M2MSEC_MAF_ADMIN_PORT)
    c.admin = { ...c.admin, port: port(env.M2MSEC_MAF_ADMIN_PORT, 'M2MSEC_MAF_ADMIN_PORT') };
  if (env.M2MSEC_MAF_ADMIN_TOKEN) c.admin = { ...c.admin, token: env.M2MSEC_MAF_ADMIN_TOKEN };
  if (env.M2MSEC_STORE === 'postgres') {
    if (!env.M2MSEC_PG_URL) throw new ConfigError('M2MSEC_STORE=postgres needs M2MSEC_PG_URL');
    c.store = {
      kind: 'postgres',
      connectionString: env.M2MSEC_PG_URL,
      ...(env.M2MSEC_PG_SCHEMA ? { schema: env.M2MSEC_PG_SCHEMA } : {}),
    };
  }
  if (env.M2MSEC_OPS_PORT) c.opsListener = { ...c.opsListener, port: port(env.M2MSEC_OPS_PORT, 'M2MSEC_OPS_PORT') };
  if (env.M2MSEC_LOG_LEVEL === 'warn' || env.M2MSEC_LOG_LEVEL === 'silent' || env.M2MSEC_LOG_LEVEL === 'info') {
    c.log = { level: env.M2MSEC_LOG_LEVEL };
  }
  if (!c.fqdn || !/^[A-Za-z0-9.-]{1,253}$/.test(c.fqdn)) throw new ConfigError('fqdn must be a host name');
  if (!c.psk && !c.certificate)
    throw new ConfigError('configure at least one MAF Handshake listener (psk or certificate)');
  if (!c.admin.token && !c.admin.tokenFile)
    throw new ConfigError('admin.token or admin.tokenFile (or M2MSEC_MAF_ADMIN_TOKEN) is required');
  if (c.mef && !(c.mef.url && c.mef.fqdn && c.mef.pskIdentity && c.mef.keyFile)) {
    throw new ConfigError('mef needs url, fqdn, pskIdentity and keyFile');
  }
  if (c.mqtt !== undefined) {
    try {
      checkRoleMqttConfig(c.mqtt);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  if (!Number.isInteger(c.notificationTimeoutMs) || c.notificationTimeoutMs < 100) {
    throw new ConfigError('notificationTimeoutMs must be an integer of at least 100');
  }
  return c;
}

/** Every file of this configuration holding a key or a shared secret: owner-only or the MAF refuses to start. */
export function secretFilesOf(c: MafConfig): Array<[path: string, what: string]> {
  const files: Array<[string, string]> = [];
  if (c.configFile) files.push([c.configFile, 'configuration file holding admin.token']);
  if (c.admin.tokenFile) files.push([c.admin.tokenFile, 'admin token file (admin.tokenFile)']);
  if (c.certificate) files.push([c.certificate.key, 'TLS private key (certificate.key)']);
  if (c.mef) files.push([c.mef.keyFile, 'MEF PSK file (mef.keyFile)']);
  if (c.mqtt?.key) files.push([c.mqtt.key, 'MQTT client private key (mqtt.key)']);
  if (c.mqtt?.psk) files.push([c.mqtt.psk.keyFile, 'MQTT PSK file (mqtt.psk.keyFile)']);
  return files;
}
