// One PSK identity router for every PSK-based listener of a CSE (TLS-PSK over HTTPS, DTLS-PSK over CoAP):
// an ordered list of matchers, each a cheap syntactic test of the psk_identity's form and a resolver that
// gives the key with the facts the association will carry (framework, Credential-ID, proven IDs, expiry),
// or why it is refused. The first matcher whose form fits decides; nothing else is consulted. Resolvers
// read keyed directories (a map read, @m2msec/crypto's PrefetchingKeyDirectory or the Kpsa index), so an
// unknown identity costs O(1): never a scan of the stored keys, never a decryption of any of them.
// Forms are disjoint (TS-0003 8.2.2.1, 8.2.2.3, DerivedKey mode; gba-target.ts in @m2msec/node): DK.<...>
// DerivedKey, hexBinary(KcID)@<trusted MAF-FQDN> MAF-based, hexBinary@<trusted MEF-FQDN> a KeID,
// base64(RAND)@<BSF domain> a B-TID; anything else is a KpsaID, the catch-all, last.
import type { IdContext } from '@m2msec/protocol';
import { parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import {
  type DerivedKeyResourceServer,
  derivedKeyCredentialId,
  isDerivedKeyIdentity,
  type MafKeyCache,
} from '@m2msec/saef';
import type { SaefFramework } from '../registry/association.js';
import type { PskDirectory } from './psk-directory.js';

export interface PskIdentityResolution {
  key: Uint8Array;
  framework: SaefFramework;
  credentialId: string;
  /** IDs the credential itself proves (a MAF Kc's entity ID), SP-relative. */
  provenIds: string[];
  /** When the credential stops being valid (ms since the epoch). */
  expiresAt?: number;
}

/** Why a psk_identity is refused: the framework it named and, where the framework gives one, a stable code. */
export interface PskIdentityRefusal {
  refused: string;
  framework: string;
  /** e.g. DK_REPLAY for a spent DerivedKey sequence number (saef). */
  code?: string;
}

export type PskIdentityAnswer = PskIdentityResolution | PskIdentityRefusal;

export interface PskIdentityMatcher {
  /** Names the matcher in refusals and metrics. */
  readonly framework: string;
  /** Whether the identity has this matcher's form: cheap and syntactic, no key is read. */
  matches(identity: string): boolean;
  resolve(identity: string): PskIdentityAnswer;
}

export class PskIdentityRouter {
  constructor(readonly matchers: readonly PskIdentityMatcher[]) {}

  resolve(identity: string): PskIdentityAnswer {
    for (const m of this.matchers) if (m.matches(identity)) return m.resolve(identity);
    return { refused: 'no framework serves this psk_identity', framework: 'none' };
  }
}

function asIdentity(id: string | undefined, ctx: IdContext): string[] {
  if (!id) return [];
  try {
    const o = parseOriginator(id);
    return o.kind === 'other' ? [] : [toSpRelativeOriginator(o, ctx)];
  } catch {
    return [];
  }
}

/** DerivedKey mode: DK.<...>; check() only (the window moves once the handshake proved K_RS-C). */
export function derivedKeyMatcher(dk: DerivedKeyResourceServer | undefined): PskIdentityMatcher {
  return {
    framework: 'derived-key',
    matches: isDerivedKeyIdentity,
    resolve(identity) {
      if (!dk) return { refused: 'DerivedKey mode is not enabled', framework: 'derived-key' };
      const r = dk.check(identity);
      if (!r.ok) return { refused: r.message, framework: 'derived-key', code: r.code };
      return { key: r.key, framework: 'derived-key', credentialId: derivedKeyCredentialId(r.identity), provenIds: [] };
    },
  };
}

/** MAF-based SAEF (8.2.2.3): a Kc Key Identifier of a trusted MAF; a miss starts MAF Key Retrieval. */
export function mafMatcher(maf: MafKeyCache, idContext: IdContext): PskIdentityMatcher {
  return {
    framework: 'maf',
    matches: (identity) => maf.isMafIdentity(identity),
    resolve(identity) {
      const k = maf.lookup(identity);
      if (!k) return { refused: 'no Kc for this Key Identifier (yet): MAF Key Retrieval started', framework: 'maf' };
      return {
        key: k.kc,
        framework: 'maf',
        credentialId: `12-${identity}`,
        provenIds: asIdentity(k.entityId, idContext),
        expiresAt: k.expiresAt,
      };
    },
  };
}

/**
 * A keyed PSK directory of the provisioned-symmetric-key framework: Kpsa (`matches` omitted: the
 * catch-all), or a remotely provisioned form such as RSPF KeIDs or GBA B-TIDs (their own `matches`).
 * The association's Credential-ID is 12-<identity> unless `credentialId` maps it.
 */
export function directoryMatcher(o: {
  directory: PskDirectory;
  matches?: (identity: string) => boolean;
  credentialId?: (identity: string) => string;
  refusal?: string;
}): PskIdentityMatcher {
  const refusal = o.refusal ?? 'unknown or expired KpsaID';
  return {
    framework: 'psk',
    matches: o.matches ?? (() => true),
    resolve(identity) {
      const k = o.directory.lookup(identity);
      if (!k) return { refused: refusal, framework: 'psk' };
      return {
        key: k.key,
        framework: 'psk',
        credentialId: o.credentialId ? o.credentialId(identity) : `12-${identity}`,
        provenIds: [],
        ...(k.expiresAt !== undefined ? { expiresAt: k.expiresAt } : {}),
      };
    },
  };
}
