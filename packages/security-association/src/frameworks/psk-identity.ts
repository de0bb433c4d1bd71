// Entity B's PSK lookup for every PSK-based listener (TLS-PSK over HTTPS, DTLS-PSK over CoAP): the
// psk_identity picks the framework (TS-0003 8.2.2.1, 8.2.2.3, DerivedKey mode) — DK.<...> DerivedKey,
// hexBinary(KcID)@<trusted MAF-FQDN> MAF-based, anything else a KpsaID — and gives the key with the
// facts the association will carry. Synchronous, from memory; DerivedKey check() changes nothing (the
// caller accepts the sequence number once the handshake proved K_RS-C).
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import {
  type DerivedKeyResourceServer,
  derivedKeyCredentialId,
  isDerivedKeyIdentity,
  type MafKeyCache,
} from '@m2msec/saef';
import type { SaefFramework } from '../registry/association.js';
import type { PskDirectory } from './psk-directory.js';

export interface PskIdentitySources {
  idContext: IdContext;
  kpsa: PskDirectory;
  derivedKey?: DerivedKeyResourceServer | undefined;
  maf?: MafKeyCache | undefined;
}

export interface PskIdentityResolution {
  key: Uint8Array;
  framework: SaefFramework;
  credentialId: string;
  /** IDs the credential itself proves (a MAF Kc's entity ID), SP-relative. */
  provenIds: string[];
  /** When the credential stops being valid (ms since the epoch). */
  expiresAt?: number;
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

/** Why a psk_identity is refused: the framework it named and, where the framework gives one, a stable code. */
export interface PskIdentityRefusal {
  refused: string;
  framework: string;
  /** e.g. DK_REPLAY for a spent DerivedKey sequence number (saef). */
  code?: string;
}

/** The key and association facts for a psk_identity, or why it is refused (never a key). */
export function resolvePskIdentity(
  identity: string,
  s: PskIdentitySources,
): PskIdentityResolution | PskIdentityRefusal {
  if (isDerivedKeyIdentity(identity)) {
    if (!s.derivedKey) return { refused: 'DerivedKey mode is not enabled', framework: 'derived-key' };
    const r = s.derivedKey.check(identity);
    if (!r.ok) return { refused: r.message, framework: 'derived-key', code: r.code };
    return { key: r.key, framework: 'derived-key', credentialId: derivedKeyCredentialId(r.identity), provenIds: [] };
  }
  if (s.maf?.isMafIdentity(identity)) {
    const k = s.maf.lookup(identity);
    if (!k) return { refused: 'no Kc for this Key Identifier (yet): MAF Key Retrieval started', framework: 'maf' };
    return {
      key: k.kc,
      framework: 'maf',
      credentialId: `12-${identity}`,
      provenIds: asIdentity(k.entityId, s.idContext),
      expiresAt: k.expiresAt,
    };
  }
  const k = s.kpsa.lookup(identity);
  if (!k) return { refused: 'unknown or expired KpsaID', framework: 'psk' };
  return {
    key: k.key,
    framework: 'psk',
    credentialId: `12-${identity}`,
    provenIds: [],
    ...(k.expiresAt !== undefined ? { expiresAt: k.expiresAt } : {}),
  };
}
