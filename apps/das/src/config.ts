// DAS configuration: a JSON file (M2MSEC_DAS_CONFIG) checked against a schema at start, so a typo stops
// the process with every problem listed; M2MSEC_DAS_HOST / M2MSEC_DAS_PORT override the listener.

import { readFileSync } from 'node:fs';
import { describeConfigProblems } from '@m2msec/protocol';
import { checkSecretFileMode } from '@m2msec/secure-environment';
import { Ajv } from 'ajv';

export interface DasRule {
  name: string;
  /** Originator IDs, SP-relative or absolute (compared normalised); absent = any originator. */
  originators?: string[];
  /** m2m:operation values (1 C, 2 R, 3 U, 4 D, 5 N); absent = any. */
  operations?: number[];
  /** Targeted resource IDs as the CSE sends them (trid), '*' = any run of characters; absent = any. */
  targets?: string[];
  /** Targeted resource types (trt); absent = any. */
  resourceTypes?: number[];
  /** An explicit refusal: the answer grants nothing. */
  deny?: boolean;
  grant?: {
    /** accessControlOperations bits granted. */
    acop: number;
    /** Lifetime of the grant in ms (privilegesLifetime / token notAfter). */
    lifetimeMs: number;
    /** A dynamic ACP (dynamicACPInfo), a token, or both. */
    as: 'policy' | 'token' | 'both';
  };
}

export interface DasConfig {
  /** The DAS Server's ID: the issuer (iss) of its tokens. */
  dasId: string;
  spId: string;
  http: { host: string; port: number };
  /** Private JWK that signs tokens, and its JWS algorithm. */
  signingKey: Record<string, unknown>;
  alg: string;
  /** FQDN part of the token IDs it issues (name@fqdn). */
  tokenIdDomain: string;
  rules: DasRule[];
  /** /metrics, /healthz, /readyz on their own listener (M2MSEC_OPS_PORT), loopback by default; off when absent. */
  opsListener?: { host?: string; port: number };
}

const str = { type: 'string', minLength: 1 };
const ints = { type: 'array', items: { type: 'integer', minimum: 1 } };
/** The JSON schema the loader validates against (published in docs/config-schemas by scripts/gen-config-schemas.ts). */
export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['dasId', 'spId', 'http', 'signingKey', 'alg', 'tokenIdDomain', 'rules'],
  properties: {
    dasId: str,
    spId: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: { host: str, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    opsListener: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      properties: { host: str, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    signingKey: { type: 'object', required: ['kty', 'd'] },
    alg: { enum: ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256', 'RS256'] },
    tokenIdDomain: { type: 'string', pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$' },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: str,
          originators: { type: 'array', items: { type: 'string', pattern: '^/' } },
          operations: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 5 } },
          targets: { type: 'array', items: str },
          resourceTypes: ints,
          deny: { type: 'boolean' },
          grant: {
            type: 'object',
            additionalProperties: false,
            required: ['acop', 'lifetimeMs', 'as'],
            properties: {
              acop: { type: 'integer', minimum: 1, maximum: 63 },
              lifetimeMs: { type: 'integer', minimum: 1 },
              as: { enum: ['policy', 'token', 'both'] },
            },
          },
        },
        oneOf: [{ required: ['deny'] }, { required: ['grant'] }],
      },
    },
  },
};

const validate = new Ajv({ allErrors: true, verbose: true }).compile<DasConfig>(schema);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DasConfig {
  if (!env.M2MSEC_DAS_CONFIG) throw new ConfigError('M2MSEC_DAS_CONFIG must name the JSON configuration file');
  let config: DasConfig;
  // The file holds the DAS's private signing key inline: owner-only, or no start (docs/hardening.md).
  checkSecretFileMode(env.M2MSEC_DAS_CONFIG, 'configuration file holding signingKey');
  try {
    config = JSON.parse(readFileSync(env.M2MSEC_DAS_CONFIG, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read M2MSEC_DAS_CONFIG: ${(e as Error).message}`);
  }
  if (config && typeof config === 'object' && config.http && typeof config.http === 'object') {
    if (env.M2MSEC_DAS_HOST) config.http.host = env.M2MSEC_DAS_HOST;
    if (env.M2MSEC_DAS_PORT) config.http.port = Number(env.M2MSEC_DAS_PORT);
  }
  if (config && typeof config === 'object' && env.M2MSEC_OPS_PORT) {
    config.opsListener = { ...config.opsListener, port: Number(env.M2MSEC_OPS_PORT) };
  }
  if (!validate(config)) {
    // Key path, what is allowed, the nearest key (issue 19 item 4); the file named when there is one.
    const problems = describeConfigProblems(validate.errors ?? []).join('; ');
    const where = env.M2MSEC_DAS_CONFIG ? ` (file ${env.M2MSEC_DAS_CONFIG})` : '';
    throw new ConfigError(`invalid configuration${where}: ${problems}`);
  }
  return config;
}
