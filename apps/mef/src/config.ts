// MEF process configuration: defaults, then the JSON file named by M2MSEC_MEF_CONFIG, then
// environment overrides. Bad values stop the process with a message naming the field.
import { readFileSync } from 'node:fs';

export class ConfigError extends Error {}

export interface MefConfig {
  fqdn: string;
  dataDir: string;
  /** 32-byte key-encryption key (hex file) shared by MEF instances over one PostgreSQL database. */
  kekFile?: string;
  store: { kind: 'sqlite' } | { kind: 'postgres'; connectionString: string; schema?: string };
  psk?: { host: string; port: number };
  certificate?: { host: string; port: number; cert: string; key: string; trustAnchors: string[] };
  /** Username/password option (server-only TLS + HTTP Digest), off unless configured. */
  user?: { host: string; port: number; cert: string; key: string };
  admin: { host: string; port: number; token?: string; tokenFile?: string };
  /** EST at /.well-known/est with a MEF CA kept in the MEF's SE (created on first start). */
  est: { enabled: boolean; caSubject: string; channelBinding: 'require' | 'if-present' | 'off' };
  /** DSKPP at /dskpp: clients (ClientID, authentication code, K_SHARED) from configuration. */
  dskpp?: {
    clients: Array<{ clientId: string; authenticationCodeHex: string; sharedKeyName: string; sharedKeyHex: string }>;
  };
  notifyTargets: boolean;
  log: { level: 'info' | 'warn' | 'silent' };
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
      c = { ...c, ...(JSON.parse(readFileSync(env.M2MSEC_MEF_CONFIG, 'utf8')) as Partial<MefConfig>) };
    } catch (e) {
      throw new ConfigError(`M2MSEC_MEF_CONFIG: ${(e as Error).message}`);
    }
  }
  if (env.M2MSEC_MEF_FQDN) c.fqdn = env.M2MSEC_MEF_FQDN;
  if (env.M2MSEC_MEF_DATA_DIR) c.dataDir = env.M2MSEC_MEF_DATA_DIR;
  if (env.M2MSEC_MEF_KEK_FILE) c.kekFile = env.M2MSEC_MEF_KEK_FILE;
  if (env.M2MSEC_MEF_PSK_PORT)
    c.psk = { host: c.psk?.host ?? '127.0.0.1', port: port(env.M2MSEC_MEF_PSK_PORT, 'M2MSEC_MEF_PSK_PORT') };
  if (env.M2MSEC_MEF_ADMIN_PORT)
    c.admin = { ...c.admin, port: port(env.M2MSEC_MEF_ADMIN_PORT, 'M2MSEC_MEF_ADMIN_PORT') };
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
  if (!c.fqdn || !/^[A-Za-z0-9.-]{1,253}$/.test(c.fqdn)) throw new ConfigError('fqdn must be a host name');
  if (!c.psk && !c.certificate)
    throw new ConfigError('configure at least one MEF Handshake listener (psk or certificate)');
  if (!c.admin.token && !c.admin.tokenFile)
    throw new ConfigError('admin.token or admin.tokenFile (or M2MSEC_MEF_ADMIN_TOKEN) is required');
  return c;
}
