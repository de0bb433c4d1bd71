// Entity B of the PSK-based frameworks on one listener (TS-0003 8.2.2.1, 8.2.2.3, DerivedKey mode):
// the psk_identity picks the framework — DK.<...> DerivedKey, hexBinary(KcID)@<trusted MAF-FQDN>
// MAF-based, anything else a KpsaID — and the completed handshake becomes a security association.
// DerivedKey: the pskCallback only checks the identity (no state change); the sequence number is
// accepted into the replay window on 'secureConnection', once the Finished messages proved K_RS-C, and a
// session whose number cannot be accepted then (a concurrent handshake took it) is destroyed unserved.
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { IdContext } from '@m2msec/protocol';
import { type DerivedKeyResourceServer, type MafKeyCache, pskIdentityOf, pskServerOptions } from '@m2msec/saef';
import type { SaefFramework } from '../registry/association.js';
import type { SecurityAssociationRegistry } from '../registry/registry.js';
import type { PskDirectory } from './psk-directory.js';
import { resolvePskIdentity } from './psk-identity.js';
import type { PskIdentityMatcher } from './psk-identity-router.js';

export interface PskAssociationOptions {
  registry: SecurityAssociationRegistry;
  idContext: IdContext;
  kpsa: PskDirectory;
  derivedKey?: DerivedKeyResourceServer;
  maf?: MafKeyCache;
  /**
   * Remotely provisioned forms (RSPF KeIDs, GBA B-TIDs: directoryMatcher over their prefetching key
   * directories), tried after DerivedKey and MAF, before the KpsaID catch-all (psk-identity-router.ts).
   */
  matchers?: readonly PskIdentityMatcher[];
  tls13?: boolean;
  /** Refused handshakes (identity and why, the framework and a code such as DK_REPLAY; never a key). */
  onRefused?: (identity: string, reason: string, facts?: { framework: string; code?: string }) => void;
  /** Completed handshakes by framework (metrics). */
  onEstablished?: (framework: string) => void;
}

interface Pending {
  framework: SaefFramework;
  credentialId: string;
  provenIds: string[];
  expiresAt?: number;
}

export interface PskAssociationFramework {
  tlsOptions: TlsOptions;
  /** Attach to the server's 'secureConnection' event. */
  onSecureConnection(socket: TLSSocket): void;
}

export function pskAssociationFramework(o: PskAssociationOptions): PskAssociationFramework {
  const pending = new WeakMap<TLSSocket, Pending>();
  const refuse = (identity: string, reason: string, facts?: { framework: string; code?: string }): undefined => {
    o.onRefused?.(identity, reason, facts);
    return undefined;
  };

  const resolve = (identity: string, socket: TLSSocket): Uint8Array | undefined => {
    const r = resolvePskIdentity(identity, o);
    if ('refused' in r) return refuse(identity, r.refused, { framework: r.framework, code: r.code });
    const { key, ...facts } = r;
    pending.set(socket, facts);
    return key;
  };

  return {
    tlsOptions: pskServerOptions({ resolve, tls13: o.tls13 }),
    onSecureConnection(socket) {
      const p = pending.get(socket);
      const identity = pskIdentityOf(socket);
      if (!p || identity === undefined) {
        socket.destroy(); // fail closed: a session the resolver did not admit
        return;
      }
      pending.delete(socket);
      if (p.framework === 'derived-key') {
        // Proof of possession is complete only now: move the window (journal first), or end the session.
        const a = o.derivedKey?.accept(identity);
        if (!a?.ok) {
          socket.destroy();
          refuse(identity, a ? a.message : 'DerivedKey mode is not enabled', {
            framework: 'derived-key',
            ...(a && !a.ok ? { code: a.code } : {}),
          });
          return;
        }
        // Shared windows decide after the fact (another instance may have committed this number first):
        // the session's requests wait for the decision (durability gate) and a refusal ends it.
        o.derivedKey?.durable(identity).catch((e: Error) => {
          socket.destroy();
          refuse(identity, e.message);
        });
      }
      o.registry.establish(socket, { ...p, pskIdentity: identity });
      o.onEstablished?.(p.framework);
    },
  };
}
