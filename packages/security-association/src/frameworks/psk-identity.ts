// Entity B's PSK lookup for every PSK-based listener (TLS-PSK over HTTPS, DTLS-PSK over CoAP), from the
// sources a listener has: the router of psk-identity-router.ts in its standard order — DerivedKey, MAF,
// the caller's own matchers (e.g. RSPF KeIDs, GBA B-TIDs), then KpsaIDs. Synchronous, from memory.
import type { IdContext } from '@m2msec/protocol';
import type { DerivedKeyResourceServer, MafKeyCache } from '@m2msec/saef';
import type { PskDirectory } from './psk-directory.js';
import {
  derivedKeyMatcher,
  directoryMatcher,
  mafMatcher,
  type PskIdentityAnswer,
  type PskIdentityMatcher,
  PskIdentityRouter,
} from './psk-identity-router.js';

export type { PskIdentityRefusal, PskIdentityResolution } from './psk-identity-router.js';

export interface PskIdentitySources {
  idContext: IdContext;
  kpsa: PskDirectory;
  derivedKey?: DerivedKeyResourceServer | undefined;
  maf?: MafKeyCache | undefined;
  /** Further forms, tried after DerivedKey and MAF and before the KpsaID catch-all. */
  matchers?: readonly PskIdentityMatcher[];
}

/** The router for a set of sources, in the standard order. */
export function pskIdentityRouter(s: PskIdentitySources): PskIdentityRouter {
  return new PskIdentityRouter([
    derivedKeyMatcher(s.derivedKey),
    ...(s.maf ? [mafMatcher(s.maf, s.idContext)] : []),
    ...(s.matchers ?? []),
    directoryMatcher({ directory: s.kpsa }),
  ]);
}

// One router per sources object (a listener's options), made on first use.
const routers = new WeakMap<PskIdentitySources, PskIdentityRouter>();

/** The key and association facts for a psk_identity, or why it is refused (never a key). */
export function resolvePskIdentity(identity: string, s: PskIdentitySources): PskIdentityAnswer {
  let r = routers.get(s);
  if (!r) {
    r = pskIdentityRouter(s);
    routers.set(s, r);
  }
  return r.resolve(identity);
}
