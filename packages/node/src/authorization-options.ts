// The authorization inputs of the configuration (docs/authorization.md): token issuers' keys and this
// CSE's token decryption key from JWKs, the static location map as the source of rq_loc
// (TS-0003 Table 7.1.2-2), role issuers and the lifetime of dynamic grants.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { StaticLocationSource } from '@m2msec/authorization';
import type { AuthorizationOptions } from '@m2msec/cse';
import { ConfigError, type InCseConfig } from './config.js';

export function authorizationOptions(config: InCseConfig): AuthorizationOptions {
  const a = config.authorization;
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const jwk = (k: Record<string, unknown>, what: string, priv: boolean) => {
    try {
      return priv
        ? createPrivateKey({ key: k as never, format: 'jwk' })
        : createPublicKey({ key: k as never, format: 'jwk' });
    } catch (e) {
      throw new ConfigError(`${what} is not a valid JWK: ${(e as Error).message}`);
    }
  };
  let locationSource: StaticLocationSource;
  try {
    locationSource = new StaticLocationSource(a.locations, idContext);
  } catch (e) {
    throw new ConfigError(`authorization.locations: ${(e as Error).message}`);
  }
  return {
    locationSource,
    tokenIssuers: a.tokenIssuers.map((i, n) => ({
      id: i.id,
      algorithms: i.algorithms,
      keys: i.keys.map((k, m) => jwk(k, `authorization.tokenIssuers[${n}].keys[${m}]`, false)),
    })),
    ...(a.tokenDecryption
      ? {
          tokenDecryption: {
            keys: [jwk(a.tokenDecryption.key, 'authorization.tokenDecryption.key', true)],
            keyManagementAlgorithms: a.tokenDecryption.keyManagementAlgorithms,
            contentEncryptionAlgorithms: a.tokenDecryption.contentEncryptionAlgorithms,
          },
        }
      : {}),
    roleIssuers: a.roleIssuers,
    dynamicGrantLifetimeMs: a.dynamicGrantLifetimeMs,
  };
}
