// What the TLS session of a request proved (MEF Handshake, 8.3.5.2.2): the PSK identity (KpmID or a
// target's identity) or a verified client certificate, as the shared HTTP edge reports them in the
// request's TlsContext. HTTP-level credentials never count here.
import { createHash } from 'node:crypto';
import type { TlsContext } from '@m2msec/protocol';
import type { EnroleePrincipal } from '@m2msec/rspf';
import type { MefStore } from '../store/mef-store.js';

export interface SessionIdentity {
  pskIdentity?: string;
  subjectAltNames?: string[];
  fingerprint?: string;
}

const fingerprints = new WeakMap<Uint8Array, string>();

export function sessionIdentity(tls: TlsContext | undefined): SessionIdentity {
  if (!tls) return {};
  if (tls.pskIdentity !== undefined) return { pskIdentity: tls.pskIdentity };
  // Present only when the TLS layer verified the chain.
  const der = tls.peerCertificate?.der;
  if (!der) return {};
  let fingerprint = fingerprints.get(der);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256').update(der).digest('hex');
    fingerprints.set(der, fingerprint);
  }
  return { subjectAltNames: tls.peerCertificate!.subjectAltNames, fingerprint };
}

/** The session as an enrolee principal (a target's PSK identity is not an enrolee). */
export function enroleePrincipal(tls: TlsContext | undefined, store: MefStore): EnroleePrincipal | undefined {
  const s = sessionIdentity(tls);
  if (s.pskIdentity !== undefined) {
    return store.pskLookup(s.pskIdentity)?.kind === 'enrolee' ? { kind: 'psk', kpmId: s.pskIdentity } : undefined;
  }
  if (s.fingerprint)
    return { kind: 'certificate', fingerprint: s.fingerprint, subjectAltNames: s.subjectAltNames ?? [] };
  return undefined;
}

/** A stable name of the MEF client behind a session (Mmef Source/Target MEF Client ID). */
export function mefClientId(s: SessionIdentity): string | undefined {
  if (s.pskIdentity !== undefined) return `psk:${s.pskIdentity}`;
  if (s.fingerprint) return `certificate:${s.fingerprint}`;
  return undefined;
}
