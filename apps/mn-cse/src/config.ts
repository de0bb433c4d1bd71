// MN-CSE process configuration: defaults, the JSON file named by M2MSEC_CONFIG, environment
// overrides; checked against a schema so a typo stops the process with a clear message. Key
// material is referenced by file path, never written into the configuration itself.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isLoopbackHost } from '@m2msec/administration';
import { type InCseConfig, schema as inCseSchema } from '@m2msec/node/config';
import { describeConfigProblems } from '@m2msec/protocol';
import { Ajv } from 'ajv';

/** One administrator principal (docs/administration.md): an originator and exactly one credential. */
export interface MnCseAdministratorConfig {
  name: string;
  originator: string;
  credentialId?: string;
  certificateSan?: string;
  certificateFingerprint256?: string;
}

/** The IN-CSE `security` keys an MN-CSE takes for the SAEFs it offers AEs (docs/mn-cse.md, docs/in-cse.md). */
export const SECURITY_KEYS = ['psk', 'maf', 'mef', 'gba', 'derivedKey', 'bindings', 'keyFile', 'kekInDataDir'] as const;
export type MnCseSecurityConfig = Partial<Pick<InCseConfig['security'], (typeof SECURITY_KEYS)[number]>>;

export interface MnCseFileConfig {
  /**
   * 'secure': Mca requires an association, administrators only through a credential on the Mcc
   * listener, no plain-HTTP registrar. 'development': the adminOriginators are administrators on the
   * plain listener, which must bind a loopback address (docs/administration.md).
   */
  profile: 'secure' | 'development';
  /** Administrators: principals bound to credentials (TS-0003 6.2.3). */
  administrators: MnCseAdministratorConfig[];
  cse: { cseId: string; cseBaseName: string; spId: string; adminOriginators: string[] };
  http: { host: string; port: number; maxBodyBytes: number };
  /** Points of access advertised to the registrar; default: the HTTP listener's URL. */
  poa?: string[];
  /** 'memory' keeps nothing across a restart (docs/storage.md): a gateway without a disk, a lab. */
  store: { kind: 'sqlite' } | { kind: 'memory' } | { kind: 'postgres'; connectionString: string; schema?: string };
  dataDir: string;
  /** Notification target policy (docs/hardening.md). */
  notifications?: { allowTargets?: string[]; maxConcurrentPerTarget?: number; maxQueuedPerTarget?: number };
  registrar: {
    cseId: string;
    cseBaseName: string;
    url: string;
    retryMs: number;
    refreshMs: number;
    certificate?: { cert: string; key: string; trustAnchors: string[]; servername: string };
    psk?: { identity: string; keyFile: string; servername?: string };
    plainHttp?: boolean;
  };
  mqtt?: {
    url: string;
    /** Further nodes of the same clustered broker (docs/mqtt-cluster.md). */
    failover?: string[];
    ca?: string;
    cert?: string;
    key?: string;
    servername?: string;
    psk?: { identity: string; keyFile: string };
  };
  mcc?: {
    host: string;
    port: number;
    cert: string;
    key: string;
    trustAnchors: string[];
    /** CRL files, re-read when they change. */
    crls: string[];
    /** A CRL URL (the MEF's GET /crl) fetched every refreshSeconds. */
    crl?: { url?: string; refreshSeconds?: number; startupTimeoutSeconds?: number };
  };
  /**
   * Optional CoAP listener over DTLS-PSK for AEs (TS-0008; docs/coap.md): each Kpsa by identity and key
   * file (hex), with the AE-IDs / originators its association may act as (bind).
   */
  coap?: {
    host: string;
    port: number;
    responseOptions?: 'oneM2M' | 'coap-only';
    psk: Array<{ identity: string; keyFile: string; bind?: string[] }>;
  };
  registration: {
    appRules: Array<{ name: string; applicableCredIDs?: string[]; allowedAppIDs?: string[]; allowedAEs?: string[] }>;
  };
  mca: 'optional' | 'required';
  requestTimeoutMs: number;
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    format?: 'json' | 'pretty' | 'auto';
    file?: string;
  };
  /** /metrics, /healthz, /readyz on their own listener (M2MSEC_OPS_PORT), loopback by default; off when absent. */
  opsListener?: { host?: string; port: number };
  /**
   * Test hooks, refused by the secure profile: `alterRelayedContentFrom` lists originators whose retargeted
   * requests leave with one character of their Content altered (a compromised relay, for end-to-end tests).
   */
  testHooks?: { alterRelayedContentFrom: string[] };
  /**
   * Remote security configuration (docs/remote-security-config.md): the address of this node's <node>
   * at the registrar, watched by push (`push`) or polled every pollSeconds; needs registrar.certificate,
   * whose files a switched credential replaces.
   */
  deviceConfig?: {
    node: string;
    pollSeconds?: number;
    hosts?: Record<string, string>;
    /**
     * Push: this node's notification endpoint (loopback by default), for its <subscription>s on the <node>
     * and its <mgmtObj>s; polling every fallbackPollSeconds (default 3600) stays beside it, and every
     * pollSeconds when the subscription cannot be made. The IN-CSE must allow the endpoint as a target.
     */
    push?: { host?: string; port: number; fallbackPollSeconds?: number };
  };
  /**
   * The SAEFs offered to AEs, configured as the IN-CSE's `security` keys (same schema): `psk` opens the
   * TLS-PSK listener (Kpsa, DerivedKey), `maf` makes this CSE Entity B of the MAF-based SAEF, `mef` / `gba`
   * an Enrolment Target of RSPF / GBA, `bindings` pre-binds Credential-IDs; the keystore (Kpsa, Km) lives
   * in dataDir under the KEK of `keyFile` or M2MSEC_KEK (docs/hardening.md).
   */
  security?: MnCseSecurityConfig;
  /**
   * End-to-end security (docs/end-to-end-security.md), the IN-CSE's `endToEnd` section (same schema): an
   * ESPrim Target (TS-0003 8.4 / 7.2.2) with pre-provisioned pairwiseESPrimKeys (0600 files, base64 of at
   * least 16 bytes, bound to the AE-ID / CSE-ID they authenticate; never inline), MEF-provisioned keys
   * (`mefProvisioned`, needs security.mef), MAF-distributed keys (`mafDistributed`, needs security.maf),
   * and an ESCertKE Terminating End-Point (`escertke`, TS-0003 8.7).
   */
  endToEnd?: InCseConfig['endToEnd'];
}

export const defaults: MnCseFileConfig = {
  profile: 'development',
  administrators: [],
  cse: { cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
  http: { host: '127.0.0.1', port: 8081, maxBodyBytes: 1024 * 1024 },
  store: { kind: 'sqlite' },
  dataDir: '.data/mn-cse',
  registrar: {
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    url: 'https://127.0.0.1:8443',
    retryMs: 2_000,
    refreshMs: 30_000,
  },
  registration: { appRules: [] },
  mca: 'optional',
  requestTimeoutMs: 5_000,
  log: { level: 'info' },
};

const str = { type: 'string', minLength: 1 };
const strList = { type: 'array', items: str };
const port = { type: 'integer', minimum: 0, maximum: 65535 };
const obj = (required: string[], properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

/** The JSON schema the loader validates against (published in docs/config-schemas by scripts/gen-config-schemas.ts). */
export const schema = obj(
  [
    'profile',
    'administrators',
    'cse',
    'http',
    'store',
    'dataDir',
    'registrar',
    'registration',
    'mca',
    'requestTimeoutMs',
    'log',
  ],
  {
    profile: { enum: ['secure', 'development'] },
    administrators: {
      type: 'array',
      items: {
        ...obj(['name', 'originator'], {
          name: str,
          originator: str,
          credentialId: str,
          certificateSan: { type: 'string', pattern: '^[A-Za-z]+:.+' },
          certificateFingerprint256: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$' },
        }),
        oneOf: [
          { required: ['credentialId'] },
          { required: ['certificateSan'] },
          { required: ['certificateFingerprint256'] },
        ],
      },
    },
    cse: obj(['cseId', 'cseBaseName', 'spId', 'adminOriginators'], {
      cseId: { type: 'string', pattern: '^/[A-Za-z0-9._~-]+$' },
      cseBaseName: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
      spId: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
      adminOriginators: strList,
    }),
    http: obj(['host', 'port', 'maxBodyBytes'], { host: str, port, maxBodyBytes: { type: 'integer', minimum: 1 } }),
    poa: { type: 'array', minItems: 1, items: str },
    store: {
      oneOf: [
        obj(['kind'], { kind: { const: 'sqlite' } }),
        obj(['kind'], { kind: { const: 'memory' } }),
        obj(['kind', 'connectionString'], {
          kind: { const: 'postgres' },
          connectionString: str,
          schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$' },
        }),
      ],
    },
    dataDir: str,
    endToEnd: inCseSchema.properties.endToEnd,
    testHooks: obj(['alterRelayedContentFrom'], {
      alterRelayedContentFrom: { type: 'array', minItems: 1, items: str },
    }),
    notifications: obj([], {
      allowTargets: strList,
      maxConcurrentPerTarget: { type: 'integer', minimum: 1 },
      maxQueuedPerTarget: { type: 'integer', minimum: 0 },
    }),
    registrar: {
      ...obj(['cseId', 'cseBaseName', 'url', 'retryMs', 'refreshMs'], {
        cseId: { type: 'string', pattern: '^/[A-Za-z0-9._~-]+$' },
        cseBaseName: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
        url: { type: 'string', pattern: '^https?://' },
        retryMs: { type: 'integer', minimum: 10 },
        refreshMs: { type: 'integer', minimum: 0 },
        certificate: obj(['cert', 'key', 'trustAnchors', 'servername'], {
          cert: str,
          key: str,
          trustAnchors: { type: 'array', minItems: 1, items: str },
          servername: str,
        }),
        psk: obj(['identity', 'keyFile'], { identity: str, keyFile: str, servername: str }),
        plainHttp: { type: 'boolean' },
      }),
      // Exactly one way to reach the registrar.
      oneOf: [
        { required: ['certificate'] },
        { required: ['psk'] },
        { required: ['plainHttp'], properties: { plainHttp: { const: true } } },
      ],
    },
    mqtt: obj(['url'], {
      url: { type: 'string', pattern: '^mqtts?://' },
      failover: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^mqtts?://' } },
      ca: str,
      cert: str,
      key: str,
      servername: str,
      psk: obj(['identity', 'keyFile'], { identity: str, keyFile: str }),
    }),
    mcc: obj(['host', 'port', 'cert', 'key', 'trustAnchors', 'crls'], {
      host: str,
      port,
      cert: str,
      key: str,
      trustAnchors: { type: 'array', minItems: 1, items: str },
      crls: strList,
      crl: obj([], {
        url: { type: 'string', pattern: '^https?://' },
        refreshSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
        startupTimeoutSeconds: { type: 'integer', minimum: 0, maximum: 600 },
      }),
    }),
    coap: obj(['host', 'port', 'psk'], {
      host: str,
      port,
      responseOptions: { enum: ['oneM2M', 'coap-only'] },
      psk: {
        type: 'array',
        minItems: 1,
        items: obj(['identity', 'keyFile'], { identity: str, keyFile: str, bind: strList }),
      },
    }),
    registration: obj(['appRules'], {
      appRules: {
        type: 'array',
        items: obj(['name'], { name: str, applicableCredIDs: strList, allowedAppIDs: strList, allowedAEs: strList }),
      },
    }),
    mca: { enum: ['optional', 'required'] },
    requestTimeoutMs: { type: 'integer', minimum: 1 },
    log: obj(['level'], {
      level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
      format: { enum: ['json', 'pretty', 'auto'] },
      file: str,
    }),
    opsListener: obj(['port'], { host: str, port }),
    deviceConfig: obj(['node'], {
      node: { type: 'string', pattern: '^/[^/]+/.+' },
      pollSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
      push: obj(['port'], {
        // The address the IN-CSE reaches (the notification URL is made from it): not a wildcard.
        host: { type: 'string', pattern: '^(?!0\\.0\\.0\\.0$|::$)[0-9A-Fa-f:.]+$' },
        port,
        fallbackPollSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
      }),
      // Host name of a MEF / MAF / trust anchor server -> the IPv4 address to connect to (split DNS).
      hosts: {
        type: 'object',
        additionalProperties: { type: 'string', pattern: '^\\d{1,3}(\\.\\d{1,3}){3}$' },
      },
    }),
    security: obj(
      [],
      Object.fromEntries(
        SECURITY_KEYS.map((k) => [
          k,
          (inCseSchema.properties.security as { properties: Record<string, unknown> }).properties[k],
        ]),
      ),
    ),
  },
);

const validate = new Ajv({ allErrors: true, verbose: true }).compile<MnCseFileConfig>(schema);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function merge<T>(base: T, over: unknown): T {
  if (typeof over !== 'object' || over === null || Array.isArray(over) || typeof base !== 'object' || base === null) {
    return (over === undefined ? base : over) as T;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k === 'store' ? v : merge(out[k], v);
  return out as T;
}

function intFrom(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new ConfigError(`${name} '${value}' is not a valid number`);
  return n;
}

/** Loads the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): MnCseFileConfig {
  let file: unknown = {};
  if (env.M2MSEC_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.M2MSEC_CONFIG, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read M2MSEC_CONFIG '${env.M2MSEC_CONFIG}': ${(e as Error).message}`);
    }
  }
  const config = merge(structuredClone(defaults), file);
  if (env.M2MSEC_HTTP_HOST) config.http.host = env.M2MSEC_HTTP_HOST;
  if (env.M2MSEC_OPS_PORT)
    config.opsListener = { ...config.opsListener, port: intFrom('M2MSEC_OPS_PORT', env.M2MSEC_OPS_PORT, 65535) };
  if (env.M2MSEC_HTTP_PORT) config.http.port = intFrom('M2MSEC_HTTP_PORT', env.M2MSEC_HTTP_PORT, 65535);
  if (env.M2MSEC_DATA_DIR) config.dataDir = env.M2MSEC_DATA_DIR;
  if (env.M2MSEC_LOG_LEVEL) config.log.level = env.M2MSEC_LOG_LEVEL as MnCseFileConfig['log']['level'];
  if (env.M2MSEC_PROFILE) (config as { profile: string }).profile = env.M2MSEC_PROFILE;
  if (env.M2MSEC_REGISTRAR_URL) config.registrar.url = env.M2MSEC_REGISTRAR_URL;
  if (env.M2MSEC_STORE === 'postgres') {
    if (!env.M2MSEC_PG_URL) throw new ConfigError('M2MSEC_STORE=postgres needs M2MSEC_PG_URL');
    config.store = {
      kind: 'postgres',
      connectionString: env.M2MSEC_PG_URL,
      ...(env.M2MSEC_PG_SCHEMA ? { schema: env.M2MSEC_PG_SCHEMA } : {}),
    };
  } else if (env.M2MSEC_STORE === 'memory' || env.M2MSEC_STORE === 'sqlite') {
    config.store = { kind: env.M2MSEC_STORE };
  } else if (env.M2MSEC_STORE !== undefined) {
    throw new ConfigError(`M2MSEC_STORE must be 'sqlite', 'memory' or 'postgres', not '${env.M2MSEC_STORE}'`);
  }
  if (!validate(config)) {
    // Key path, what is allowed, the nearest key (issue 19 item 4); the file named when there is one.
    const problems = describeConfigProblems(validate.errors ?? []).join('; ');
    const where = env.M2MSEC_CONFIG ? ` (file ${env.M2MSEC_CONFIG})` : '';
    throw new ConfigError(`invalid configuration${where}: ${problems}`);
  }
  config.dataDir = resolve(config.dataDir);
  if (config.deviceConfig && !config.registrar.certificate) {
    throw new ConfigError('deviceConfig needs registrar.certificate (the credential it replaces)');
  }
  checkEndToEnd(config);
  checkProfile(config);
  return config;
}

/** The key sources endToEnd.esprim names must be configured (TS-0003 8.6.2 MEF, 8.4.2 A MAF). */
function checkEndToEnd(config: MnCseFileConfig): void {
  const esprim = config.endToEnd?.esprim;
  if (esprim?.mefProvisioned && !config.security?.mef)
    throw new ConfigError('endToEnd.esprim.mefProvisioned needs security.mef (the MEF the keys come from)');
  if (esprim?.mafDistributed && !config.security?.maf)
    throw new ConfigError('endToEnd.esprim.mafDistributed needs security.maf (the MAF the keys come from)');
}

/** What each profile demands (docs/administration.md). */
function checkProfile(config: MnCseFileConfig): void {
  if (config.profile === 'development') {
    if (!isLoopbackHost(config.http.host)) {
      throw new ConfigError(
        `profile "development" accepts the administrator originators on plain HTTP, so http.host must be a loopback address, got '${config.http.host}' (use profile "secure", see docs/administration.md)`,
      );
    }
    return;
  }
  if (config.testHooks) {
    throw new ConfigError('profile "secure" refuses testHooks: they make this CSE alter what it relays');
  }
  if (config.registrar.plainHttp) {
    throw new ConfigError(
      'profile "secure" requires a security association with the registrar: registrar.plainHttp is a lab setting',
    );
  }
  config.mca = 'required';
}
