// What the access decision needs beyond policies (TS-0003 7.1.2 - 7.4): the source of rq_loc,
// trusted token issuers and this CSE's token decryption key, trusted role issuers, the token cache
// with its Local-Token-IDs, and the senders for consulting a Dynamic Authorization Server.
import {
  type LocationSource,
  TokenCache,
  type TokenDecryption,
  TokenVerifier,
  type TrustedTokenIssuer,
} from '@m2msec/authorization';
import type { IdContext, RequestSender } from '@m2msec/protocol';
import { parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';

export interface AuthorizationOptions {
  /** rq_loc of originators; without one every location context fails closed. */
  locationSource?: LocationSource;
  /** Token Issuers (DAS Servers, Authorization Authorities) whose signed tokens are accepted. */
  tokenIssuers?: TrustedTokenIssuer[];
  /** This CSE's key for nested (sign-then-encrypt) JWE tokens. */
  tokenDecryption?: TokenDecryption;
  /** Authorization Authorities whose <role> resources are valid (TS-0003 7.4.3 step 4). */
  roleIssuers?: string[];
  /** Lifetime of a dynamic ACP when neither the DAS (pl) nor the consultation (dal) gives one; default 5 min. */
  dynamicGrantLifetimeMs?: number;
}

/** Verified tokens by Local-Token-ID: @m2msec/authorization's (re-exported for the CSE's tests). */
export { TokenCache };

export class AuthorizationServices {
  readonly verifier: TokenVerifier;
  readonly locationSource: LocationSource | undefined;
  readonly roleIssuers: ReadonlySet<string>;
  readonly tokens = new TokenCache();
  readonly senders = new Map<string, RequestSender>();
  readonly dynamicGrantLifetimeMs: number;

  constructor(opts: AuthorizationOptions, idContext: IdContext, senders: readonly RequestSender[]) {
    this.verifier = new TokenVerifier({
      idContext,
      issuers: opts.tokenIssuers ?? [],
      decryption: opts.tokenDecryption,
    });
    this.locationSource = opts.locationSource;
    this.roleIssuers = new Set(
      (opts.roleIssuers ?? []).map((id) => toSpRelativeOriginator(parseOriginator(id), idContext)),
    );
    this.dynamicGrantLifetimeMs = opts.dynamicGrantLifetimeMs ?? 300_000;
    for (const s of senders) for (const scheme of s.schemes) this.senders.set(scheme, s);
  }
}
