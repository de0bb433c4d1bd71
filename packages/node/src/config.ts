// IN-CSE configuration: defaults, then the JSON file named by M2MSEC_CONFIG, then environment
// overrides; checked against a schema at start so a typo stops the process with a clear message.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isLoopbackHost } from '@m2msec/administration';
import type { ContainerDefinition } from '@m2msec/protocol';
import { describeConfigProblems } from '@m2msec/protocol';
import { Ajv } from 'ajv';
import type { MqttConfig } from './mqtt-options.js';

/** One administrator principal (docs/administration.md): an originator and exactly one credential. */
export interface AdministratorConfig {
  name: string;
  originator: string;
  credentialId?: string;
  pskIdentity?: string;
  certificateSan?: string;
  certificateFingerprint256?: string;
}

export interface InCseConfig {
  /**
   * 'secure': Mca and Mcc require an association, administrators only through a bound credential,
   * the plain listener (if enabled) answers only RETRIEVE of the <CSEBase>. 'development': the
   * adminOriginators are administrators on the plain listener, which must bind a loopback address.
   */
  profile: 'secure' | 'development';
  cse: {
    cseId: string;
    cseBaseName: string;
    spId: string;
    adminOriginators: string[];
    allowCseWithoutAssociation: boolean;
    /** Resource lifetimes (TS-0001 9.6.1.3): default and maximum expirationTime, in seconds. */
    defaultExpirationSeconds?: number;
    maxExpirationSeconds?: number;
    /** How often expired resources are deleted (ms). */
    expirySweepMs?: number;
    /** batchNotify duration a subscription gets when it names none (seconds). */
    batchNotifyDefaultDurationSeconds?: number;
    /** Bound on one subtree RETRIEVE / discovery (docs/discovery.md); the CSE core's defaults when absent. */
    filterBudget?: { maxCandidates: number; maxResults: number; maxMs: number };
    /** Non-blocking request limits (docs/discovery.md); the CSE core's defaults when absent. */
    nonBlocking?: {
      defaultResultPersistenceMs: number;
      maxRequestLifetimeMs: number;
      maxPendingPerOriginator: number;
      maxPending: number;
    };
  };
  /** The plain HTTP listener; enabled: false turns it off (secure profile). */
  http: { enabled: boolean; host: string; port: number; maxBodyBytes: number; trustedProxies: string[] };
  /** Optional CoAP listener over DTLS-PSK (TS-0008; Kpsa and DerivedKey identities, docs/coap.md). */
  coap?: {
    host: string;
    port: number;
    responseOptions?: 'oneM2M' | 'coap-only';
    certificate?: boolean;
    authorizedPublicKey?: boolean;
    /**
     * DTLS listener limits (docs/hardening.md "Resource limits"): associations at once, half-open handshakes at
     * once, associations and new handshakes per second per peer address, handshake and idle timeouts. Unset
     * keys take @m2msec/dtls's DTLS_LIMIT_DEFAULTS.
     */
    limits?: {
      maxSessions?: number;
      maxHandshakes?: number;
      maxSessionsPerPeer?: number;
      handshakesPerSecondPerPeer?: number;
      handshakeTimeoutMs?: number;
      idleTimeoutMs?: number;
    };
  };
  /**
   * Optional MQTT binding (TS-0010; docs/in-cse.md): the CSE's client session at the broker, over TLS with a
   * client certificate or PSK (key files), or plain mqtt:// on a loopback lab broker.
   */
  mqtt?: MqttConfig;
  /** Timeout of requests this CSE sends (notifications, retargeting) in ms; the CSE core's default when absent. */
  requestTimeoutMs?: number;
  /**
   * Where resources and registries live (docs/storage.md): 'sqlite' (<dataDir>/resources.db, the default),
   * 'postgres' (shared by replicas; maxConnections: the pool size, default 10, requests beyond it wait), or
   * 'memory' (in this process only, NOT durable: every resource, binding and registry is gone at stop).
   */
  store:
    | { kind: 'sqlite' }
    | { kind: 'memory' }
    | { kind: 'postgres'; connectionString: string; schema?: string; maxConnections?: number };
  dataDir: string;
  registration: {
    appRules: Array<{ name: string; applicableCredIDs?: string[]; allowedAppIDs?: string[]; allowedAEs?: string[] }>;
  };
  /** Access control inputs (docs/authorization.md): rq_loc, token issuers and keys, role issuers. */
  authorization: {
    /** Static originator -> location map, the IN-CSE's source of rq_loc (TS-0003 Table 7.1.2-2). */
    locations: Record<string, { latitude: number; longitude: number; country?: string }>;
    /** Token Issuers (DAS Servers, Authorization Authorities): ID, public JWKs, JWS algorithms. */
    tokenIssuers: Array<{ id: string; keys: Array<Record<string, unknown>>; algorithms: string[] }>;
    /** This CSE's private JWK for nested JWE tokens, with the algorithms it accepts. */
    tokenDecryption?: {
      key: Record<string, unknown>;
      keyManagementAlgorithms: string[];
      contentEncryptionAlgorithms?: string[];
    };
    /** Authorization Authorities whose <role> resources count. */
    roleIssuers: string[];
    /** Lifetime of a DAS grant that names none (ms). */
    dynamicGrantLifetimeMs: number;
  };
  /**
   * Forwarding down to registered CSEs (TS-0004 7.3.2.6) over the certificate-based SAEF: the client
   * credential this CSE presents to each remote CSE's Mcc listener (docs/in-cse.md). CSEs not listed
   * are reached through their points of access with the default senders.
   */
  forwarding: {
    remoteCses: Array<{
      cseId: string;
      certificate: { cert: string; key: string; trustAnchors: string[]; servername?: string };
    }>;
  };
  /** Security associations (docs/security-association.md): Mca policy, TLS listeners, SE key file. */
  security: {
    mca: 'optional' | 'required';
    /** Administrators: principals bound to credentials (TS-0003 6.2.3, docs/administration.md). */
    administrators: AdministratorConfig[];
    /**
     * Key-encryption key file of the software SE keystore, outside the data directory (created 0600 on first
     * start; M2MSEC_KEK_FILE). Alternatively M2MSEC_KEK holds the key. Default <dataDir>/keystore.key, which
     * is refused unless kekInDataDir allows it (docs/hardening.md).
     */
    keyFile?: string;
    /** Accept the KEK inside the data directory; default: true except in the `secure` profile (development only). */
    kekInDataDir?: boolean;
    /** HTTPS listener for the PSK-based frameworks (Kpsa, DerivedKey); absent: none. */
    psk?: { host: string; port: number; tls13: boolean };
    /** HTTPS listener for the Certificate-Based SAEF; files are PEM. */
    certificate?: {
      host: string;
      port: number;
      cert: string;
      key: string;
      trustAnchors: string[];
      /** CRL files (PEM / DER), re-read when they change (docs/certificate-lifecycle.md). */
      crls: string[];
      /** A CRL distribution point (e.g. the MEF's GET /crl) fetched every refreshSeconds (default 60). */
      crl?: { url?: string; refreshSeconds?: number; startupTimeoutSeconds?: number };
      tls13: boolean;
    };
    /**
     * Recognise DK.<TA>... identities on the PSK listener (needs a TA key: credentials add-dk-ta).
     * true / false, or an object (enabled) with the anti-replay window size per TA: an integer from 32
     * to 1024, default 64 (docs/security-association.md).
     */
    derivedKey: boolean | { windowSize?: number };
    /** Credential-ID -> AE-IDs / CSE-ID bindings set at start (TS-0003 8.2.1). */
    bindings: Array<{ credentialId: string; aeIds?: string[]; cseId?: string }>;
    /** Enrolment Target of a MEF (TS-0003 8.3.2.1, docs/mef.md): keys for KeIDs come from /fetchCredentials. */
    mef?: { url: string; fqdn: string; targetId: string; pskIdentity: string; keyFile: string; suid: number };
    /**
     * Entity B of the MAF-based SAEF (docs/maf.md): the MAF's handshake URL and FQDN, this CSE's MAF
     * Client ID (Absolute CSE-ID) and KmID (a Km in the credential store: credentials add-km), the
     * administrating stakeholder, and where the MAF announces keys (default: the plain HTTP listener).
     */
    maf?: { url: string; fqdn: string; kmId: string; adminFQDN: string; notificationUrl?: string };
    /**
     * Enrolment Target (NAF) of GBA-based RSPF (TS-0003 8.3.2.3, docs/mef.md): the MEF's Zn URL and BSF
     * domain (B-TIDs are base64(RAND)@bsfDomain), this CSE's NAF credential (a file holding the shared
     * secret) and/or client certificate, and the CA of the Zn server certificate. The NAF FQDN is the
     * CSE-ID in public domain name form: <CSE-ID>.<SP-ID>.
     */
    gba?: {
      znUrl: string;
      bsfDomain: string;
      credentialFile?: string;
      clientCert?: string;
      clientKey?: string;
      znCa?: string;
    };
  };
  /**
   * Notification target policy (docs/hardening.md): loopback, link-local, private and other special ranges
   * are refused as notification targets unless listed here ('CIDR', 'address', 'host', each with ':port'
   * optional; M2MSEC_NOTIFICATION_ALLOW_TARGETS, comma-separated); per-target concurrency and queue bounds.
   */
  notifications?: { allowTargets?: string[]; maxConcurrentPerTarget?: number; maxQueuedPerTarget?: number };
  /**
   * Connection limits of every HTTP / HTTPS listener (docs/hardening.md "Resource limits"): open connections
   * per listener and per peer address, new connections (TLS handshakes) per second per peer, handshake and
   * request-head timeouts. Unset keys take binding-http's DEFAULT_CONNECTION_LIMITS.
   */
  limits?: {
    maxConnections?: number;
    maxConnectionsPerPeer?: number;
    connectionsPerSecondPerPeer?: number;
    handshakeTimeoutMs?: number;
    headersTimeoutMs?: number;
  };
  upperTester: boolean;
  /**
   * Logs (packages/observability): level; format 'json' | 'pretty' | 'auto' (pretty on a terminal); file to
   * append to instead of stdout; accessSampling, the share of permitted requests with an access line (0..1).
   */
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    format?: 'json' | 'pretty' | 'auto';
    file?: string;
    accessSampling?: number;
  };
  /** The operations listener with /metrics, /healthz, /readyz (M2MSEC_OPS_PORT); loopback by default, off when absent. */
  opsListener?: { host?: string; port: number };
  /**
   * <flexContainer> specializations this CSE validates beyond the built-in ones (TS-0004 7.4.37.2.1,
   * docs/conformance-resources.md); optional.
   */
  containerDefinitions?: ContainerDefinition[];
  /**
   * End-to-end security (docs/end-to-end-security.md): this CSE as ESPrim Target (TS-0003 8.4) and
   * ESPrim-based originator verification (TS-0003 7.2.2), so `acaf` rules match an AE whose requests other
   * CSEs relay. Each pre-provisioned pairwiseESPrimKey (8.4.2 A) is read from a file (0600; base64 of at
   * least 16 bytes), bound to the AE-ID / CSE-ID (SP-relative) it authenticates; never inline.
   */
  endToEnd?: {
    esprim: {
      keys: Array<{ kid: string; identity: string; keyFile: string }>;
      /** Lifetime of the receiverESPrimRandObjects this Target hands out (s); default 3600. */
      randLifetimeSeconds?: number;
      /**
       * Also MEF-provisioned keys (TS-0003 8.6.2, SUID 23): a kid that is a KeID of the MEF of security.mef
       * is fetched from it on first use and bound to the Enrolee-ID the MEF names.
       */
      mefProvisioned?: boolean;
      /**
       * Also MAF-distributed keys (TS-0003 8.4.2 A "MAF ESPrim Framework", SUID 33): a kid that is a Key
       * Identifier of the MAF of security.maf is retrieved from it and bound to the Originator it names.
       */
      mafDistributed?: boolean;
    };
    /**
     * ESCertKE Terminating End-Point at the <CSEBase> (TS-0003 8.7): PEM files of this CSE's certificate
     * (ECDSA, TLS 1.2) and key (0600), the trust anchors of initiators' certificates, and the initiators
     * allowed (8.7.2.2 B): an AE-ID / CSE-ID, or '<CSE-ID>/*' for any AE of that CSE. Each established key
     * serves ESPrim, bound to the identity the initiator's certificate proved.
     */
    escertke?: { cert: string; key: string; trustAnchors: string[]; initiators: string[] };
  };
}

export const defaults: InCseConfig = {
  profile: 'development',
  cse: {
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.org',
    adminOriginators: ['CAdmin'],
    allowCseWithoutAssociation: false,
  },
  http: { enabled: true, host: '127.0.0.1', port: 8080, maxBodyBytes: 1024 * 1024, trustedProxies: [] },
  store: { kind: 'sqlite' },
  dataDir: '.data/in-cse',
  // Out of the box any AE may register without a security association (a local reference CSE);
  // deployments list their credential-IDs and App-IDs here (docs/in-cse.md).
  registration: { appRules: [{ name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
  authorization: { locations: {}, tokenIssuers: [], roleIssuers: [], dynamicGrantLifetimeMs: 300_000 },
  forwarding: { remoteCses: [] },
  security: { mca: 'optional', administrators: [], derivedKey: true, bindings: [] },
  upperTester: false,
  log: { level: 'info' },
};

const str = { type: 'string', minLength: 1 };
const strList = { type: 'array', items: str };
/** The JSON schema the loader validates against (published in docs/config-schemas by scripts/gen-config-schemas.ts). */
export const schema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'profile',
    'cse',
    'http',
    'store',
    'dataDir',
    'registration',
    'forwarding',
    'security',
    'authorization',
    'upperTester',
    'log',
  ],
  properties: {
    profile: { enum: ['secure', 'development'] },
    forwarding: {
      type: 'object',
      additionalProperties: false,
      required: ['remoteCses'],
      properties: {
        remoteCses: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['cseId', 'certificate'],
            properties: {
              cseId: { type: 'string', pattern: '^/[A-Za-z0-9._~-]+$' },
              certificate: {
                type: 'object',
                additionalProperties: false,
                required: ['cert', 'key', 'trustAnchors'],
                properties: { cert: str, key: str, trustAnchors: strList, servername: str },
              },
            },
          },
        },
      },
    },
    cse: {
      type: 'object',
      additionalProperties: false,
      required: ['cseId', 'cseBaseName', 'spId', 'adminOriginators', 'allowCseWithoutAssociation'],
      properties: {
        cseId: { type: 'string', pattern: '^/[A-Za-z0-9._~-]+$' },
        cseBaseName: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
        spId: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
        adminOriginators: strList,
        allowCseWithoutAssociation: { type: 'boolean' },
        defaultExpirationSeconds: { type: 'integer', minimum: 1 },
        maxExpirationSeconds: { type: 'integer', minimum: 1 },
        expirySweepMs: { type: 'integer', minimum: 0 },
        batchNotifyDefaultDurationSeconds: { type: 'integer', minimum: 1 },
        filterBudget: {
          type: 'object',
          additionalProperties: false,
          required: ['maxCandidates', 'maxResults', 'maxMs'],
          properties: {
            maxCandidates: { type: 'integer', minimum: 1 },
            maxResults: { type: 'integer', minimum: 1 },
            maxMs: { type: 'integer', minimum: 1 },
          },
        },
        nonBlocking: {
          type: 'object',
          additionalProperties: false,
          required: ['defaultResultPersistenceMs', 'maxRequestLifetimeMs', 'maxPendingPerOriginator', 'maxPending'],
          properties: {
            defaultResultPersistenceMs: { type: 'integer', minimum: 1 },
            maxRequestLifetimeMs: { type: 'integer', minimum: 1 },
            maxPendingPerOriginator: { type: 'integer', minimum: 1 },
            maxPending: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    coap: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        host: str,
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        responseOptions: { enum: ['oneM2M', 'coap-only'] },
        certificate: { type: 'boolean' },
        authorizedPublicKey: { type: 'boolean' },
        limits: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(
            [
              'maxSessions',
              'maxHandshakes',
              'maxSessionsPerPeer',
              'handshakesPerSecondPerPeer',
              'handshakeTimeoutMs',
              'idleTimeoutMs',
            ].map((k) => [k, { type: 'integer', minimum: 1 }]),
          ),
        },
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^mqtts?://' },
        failover: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^mqtts?://' } },
        ca: str,
        cert: str,
        key: str,
        servername: str,
        psk: {
          type: 'object',
          additionalProperties: false,
          required: ['identity', 'keyFile'],
          properties: { identity: str, keyFile: str },
        },
        topicPrefix: { type: 'string', pattern: '^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$' },
      },
    },
    requestTimeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'host', 'port', 'maxBodyBytes', 'trustedProxies'],
      properties: {
        enabled: { type: 'boolean' },
        host: str,
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        maxBodyBytes: { type: 'integer', minimum: 1 },
        trustedProxies: strList,
      },
    },
    store: {
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'sqlite' } } },
        { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'memory' } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'connectionString'],
          properties: {
            kind: { const: 'postgres' },
            connectionString: str,
            schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$' },
            maxConnections: { type: 'integer', minimum: 1 },
          },
        },
      ],
    },
    dataDir: str,
    registration: {
      type: 'object',
      additionalProperties: false,
      required: ['appRules'],
      properties: {
        appRules: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: str, applicableCredIDs: strList, allowedAppIDs: strList, allowedAEs: strList },
          },
        },
      },
    },
    authorization: {
      type: 'object',
      additionalProperties: false,
      required: ['locations', 'tokenIssuers', 'roleIssuers', 'dynamicGrantLifetimeMs'],
      properties: {
        locations: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['latitude', 'longitude'],
            properties: {
              latitude: { type: 'number', minimum: -90, maximum: 90 },
              longitude: { type: 'number', minimum: -180, maximum: 180 },
              country: { type: 'string', pattern: '^[A-Z]{2}$' },
            },
          },
        },
        tokenIssuers: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'keys', 'algorithms'],
            properties: {
              id: str,
              keys: { type: 'array', minItems: 1, items: { type: 'object', required: ['kty'] } },
              algorithms: { type: 'array', minItems: 1, items: str },
            },
          },
        },
        tokenDecryption: {
          type: 'object',
          additionalProperties: false,
          required: ['key', 'keyManagementAlgorithms'],
          properties: {
            key: { type: 'object', required: ['kty', 'd'] },
            keyManagementAlgorithms: { type: 'array', minItems: 1, items: str },
            contentEncryptionAlgorithms: strList,
          },
        },
        roleIssuers: strList,
        dynamicGrantLifetimeMs: { type: 'integer', minimum: 1 },
      },
    },
    security: {
      type: 'object',
      additionalProperties: false,
      required: ['mca', 'administrators', 'derivedKey', 'bindings'],
      properties: {
        mca: { enum: ['optional', 'required'] },
        administrators: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'originator'],
            properties: {
              name: str,
              originator: str,
              credentialId: str,
              pskIdentity: str,
              certificateSan: { type: 'string', pattern: '^[A-Za-z]+:.+' },
              certificateFingerprint256: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$' },
            },
            oneOf: [
              { required: ['credentialId'] },
              { required: ['pskIdentity'] },
              { required: ['certificateSan'] },
              { required: ['certificateFingerprint256'] },
            ],
          },
        },
        keyFile: str,
        kekInDataDir: { type: 'boolean' },
        psk: {
          type: 'object',
          additionalProperties: false,
          required: ['host', 'port', 'tls13'],
          properties: { host: str, port: { type: 'integer', minimum: 0, maximum: 65535 }, tls13: { type: 'boolean' } },
        },
        certificate: {
          type: 'object',
          additionalProperties: false,
          required: ['host', 'port', 'cert', 'key', 'trustAnchors', 'crls', 'tls13'],
          properties: {
            host: str,
            port: { type: 'integer', minimum: 0, maximum: 65535 },
            cert: str,
            key: str,
            trustAnchors: { type: 'array', minItems: 1, items: str },
            crls: strList,
            crl: {
              type: 'object',
              additionalProperties: false,
              properties: {
                url: { type: 'string', pattern: '^https?://' },
                refreshSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
                startupTimeoutSeconds: { type: 'integer', minimum: 0, maximum: 600 },
              },
            },
            tls13: { type: 'boolean' },
          },
        },
        derivedKey: {
          oneOf: [
            { type: 'boolean' },
            {
              type: 'object',
              additionalProperties: false,
              properties: { windowSize: { type: 'integer' } },
            },
          ],
        },
        mef: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'fqdn', 'targetId', 'pskIdentity', 'keyFile', 'suid'],
          properties: { url: str, fqdn: str, targetId: str, pskIdentity: str, keyFile: str, suid: { type: 'integer' } },
        },
        maf: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'fqdn', 'kmId', 'adminFQDN'],
          properties: { url: str, fqdn: str, kmId: str, adminFQDN: str, notificationUrl: str },
        },
        gba: {
          type: 'object',
          additionalProperties: false,
          required: ['znUrl', 'bsfDomain'],
          properties: {
            znUrl: { type: 'string', pattern: '^https://' },
            bsfDomain: {
              type: 'string',
              pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$',
            },
            credentialFile: str,
            clientCert: str,
            clientKey: str,
            znCa: str,
          },
          anyOf: [{ required: ['credentialFile'] }, { required: ['clientCert', 'clientKey'] }],
        },
        bindings: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['credentialId'],
            properties: { credentialId: str, aeIds: strList, cseId: str },
          },
        },
      },
    },
    upperTester: { type: 'boolean' },
    endToEnd: {
      type: 'object',
      additionalProperties: false,
      required: ['esprim'],
      properties: {
        esprim: {
          type: 'object',
          additionalProperties: false,
          required: ['keys'],
          properties: {
            keys: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['kid', 'identity', 'keyFile'],
                properties: { kid: str, identity: { type: 'string', pattern: '^/[^/]+(/[^/]+)?$' }, keyFile: str },
              },
            },
            randLifetimeSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
            mefProvisioned: { type: 'boolean' },
            mafDistributed: { type: 'boolean' },
          },
        },
        escertke: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key', 'trustAnchors', 'initiators'],
          properties: {
            cert: str,
            key: str,
            trustAnchors: { type: 'array', minItems: 1, items: str },
            initiators: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', pattern: '^/[^/*]+(/[^/*]+|/\\*)?$' },
            },
          },
        },
      },
    },
    containerDefinitions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cnd', 'root', 'customAttributes'],
        properties: {
          cnd: str,
          root: str,
          customAttributes: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['long', 'short', 'type', 'create', 'update'],
              properties: {
                long: str,
                short: str,
                type: str,
                create: { enum: ['M', 'O', 'NP'] },
                update: { enum: ['M', 'O', 'NP'] },
              },
            },
          },
        },
      },
    },
    notifications: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowTargets: strList,
        maxConcurrentPerTarget: { type: 'integer', minimum: 1 },
        maxQueuedPerTarget: { type: 'integer', minimum: 0 },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        [
          'maxConnections',
          'maxConnectionsPerPeer',
          'connectionsPerSecondPerPeer',
          'handshakeTimeoutMs',
          'headersTimeoutMs',
        ].map((k) => [k, { type: 'integer', minimum: 1 }]),
      ),
    },
    log: {
      type: 'object',
      additionalProperties: false,
      required: ['level'],
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
        format: { enum: ['json', 'pretty', 'auto'] },
        file: str,
        accessSampling: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    opsListener: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      properties: { host: str, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
  },
};

const validate = new Ajv({ allErrors: true, verbose: true }).compile<InCseConfig>(schema);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function merge<T>(base: T, over: unknown): T {
  if (
    typeof over !== 'object' ||
    over === null ||
    Array.isArray(over) ||
    typeof base !== 'object' ||
    base === null ||
    Array.isArray(base)
  ) {
    return (over === undefined ? base : over) as T;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k === 'store' ? v : merge(out[k], v);
  return out as T;
}

function portFrom(value: string, name = 'M2MSEC_HTTP_PORT'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} '${value}' is not a port number`);
  return n;
}

/** The DerivedKey anti-replay window size (RFC 6347 4.1.2.6: at least 32; default 64). */
export function derivedKeyWindowSize(derivedKey: InCseConfig['security']['derivedKey']): number {
  return typeof derivedKey === 'object' ? (derivedKey.windowSize ?? 64) : 64;
}

function checkDerivedKeyWindow(derivedKey: InCseConfig['security']['derivedKey']): void {
  const size = derivedKeyWindowSize(derivedKey);
  if (size < 32 || size > 1024) {
    throw new ConfigError(
      `invalid configuration: /security/derivedKey/windowSize ${size}: the DerivedKey anti-replay window must span 32 to 1024 sequence numbers (default 64; fewer than 32 is refused, RFC 6347 4.1.2.6)`,
    );
  }
}

/** Loads the configuration; throws ConfigError with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): InCseConfig {
  let fileConfig: unknown = {};
  if (env.M2MSEC_CONFIG) {
    try {
      fileConfig = JSON.parse(readFileSync(env.M2MSEC_CONFIG, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read M2MSEC_CONFIG '${env.M2MSEC_CONFIG}': ${(e as Error).message}`);
    }
  }
  const config = merge(structuredClone(defaults), fileConfig);
  if (env.M2MSEC_HTTP_PORT) config.http.port = portFrom(env.M2MSEC_HTTP_PORT);
  if (env.M2MSEC_HTTP_HOST) config.http.host = env.M2MSEC_HTTP_HOST;
  if (env.M2MSEC_DATA_DIR) config.dataDir = env.M2MSEC_DATA_DIR;
  if (env.M2MSEC_KEK_FILE) config.security.keyFile = env.M2MSEC_KEK_FILE;
  if (env.M2MSEC_NOTIFICATION_ALLOW_TARGETS) {
    const allowTargets = env.M2MSEC_NOTIFICATION_ALLOW_TARGETS.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    config.notifications = { ...config.notifications, allowTargets };
  }
  if (env.M2MSEC_PG_URL && env.M2MSEC_STORE === 'postgres') {
    config.store = {
      kind: 'postgres',
      connectionString: env.M2MSEC_PG_URL,
      ...(env.M2MSEC_PG_SCHEMA ? { schema: env.M2MSEC_PG_SCHEMA } : {}),
      ...(config.store.kind === 'postgres' && config.store.maxConnections
        ? { maxConnections: config.store.maxConnections }
        : {}),
    };
  } else if (env.M2MSEC_STORE === 'postgres') {
    throw new ConfigError('M2MSEC_STORE=postgres needs M2MSEC_PG_URL');
  } else if (env.M2MSEC_STORE === 'memory' || env.M2MSEC_STORE === 'sqlite') {
    config.store = { kind: env.M2MSEC_STORE };
  } else if (env.M2MSEC_STORE !== undefined) {
    throw new ConfigError(`M2MSEC_STORE must be 'sqlite', 'memory' or 'postgres', not '${env.M2MSEC_STORE}'`);
  }
  if (env.M2MSEC_UPPER_TESTER)
    config.upperTester = env.M2MSEC_UPPER_TESTER === 'true' || env.M2MSEC_UPPER_TESTER === '1';
  if (env.M2MSEC_LOG_LEVEL) (config.log as { level: string }).level = env.M2MSEC_LOG_LEVEL;
  if (env.M2MSEC_LOG_FORMAT) (config.log as { format: string }).format = env.M2MSEC_LOG_FORMAT;
  if (env.M2MSEC_LOG_FILE) config.log.file = env.M2MSEC_LOG_FILE;
  if (env.M2MSEC_OPS_PORT)
    config.opsListener = { ...config.opsListener, port: portFrom(env.M2MSEC_OPS_PORT, 'M2MSEC_OPS_PORT') };
  if (env.M2MSEC_PROFILE) (config as { profile: string }).profile = env.M2MSEC_PROFILE;
  if (!validate(config)) {
    // Key path, what is allowed, the nearest key (issue 19 item 4); the file named when there is one.
    const problems = describeConfigProblems(validate.errors ?? []).join('; ');
    const where = env.M2MSEC_CONFIG ? ` (file ${env.M2MSEC_CONFIG})` : '';
    throw new ConfigError(`invalid configuration${where}: ${problems}`);
  }
  checkDerivedKeyWindow(config.security.derivedKey);
  config.dataDir = resolve(config.dataDir);
  checkProfile(config);
  return config;
}

/**
 * What each profile demands (docs/administration.md): a development CSE is reachable in plain HTTP
 * from this machine only; a secure one never waives an association on Mcc.
 */
function checkProfile(config: InCseConfig): void {
  if (!config.http.enabled && config.security.maf && !config.security.maf.notificationUrl) {
    throw new ConfigError(
      'security.maf.notificationUrl is required when http.enabled is false (the default is the plain listener)',
    );
  }
  if (config.profile === 'development') {
    if (config.http.enabled && !isLoopbackHost(config.http.host)) {
      throw new ConfigError(
        `profile "development" accepts the administrator originators on plain HTTP, so http.host must be a loopback address, got '${config.http.host}' (use profile "secure", see docs/administration.md)`,
      );
    }
    return;
  }
  for (const url of config.mqtt ? [config.mqtt.url, ...(config.mqtt.failover ?? [])] : []) {
    // TS-0010 7.3: the broker authenticates the CSE's client session; in the clear it proves nothing.
    if (!url.startsWith('mqtts://')) {
      throw new ConfigError(`profile "secure" needs mqtt.url mqtts:// (TLS to the broker), got '${url}'`);
    }
  }
  if (config.upperTester) {
    throw new ConfigError('profile "secure" does not serve the upper tester (it can reset the CSE): development only');
  }
  if (config.cse.allowCseWithoutAssociation) {
    throw new ConfigError(
      'profile "secure" requires an association on Mcc: cse.allowCseWithoutAssociation must be false',
    );
  }
  if (config.security.mca !== 'required') config.security.mca = 'required';
}
