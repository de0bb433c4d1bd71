// What the TLS session of a request proved (MEF Handshake, 8.3.5.2.2): the PSK identity (KpmID or a
// target's identity) or a verified client certificate. HTTP-level credentials never count here.
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { pskIdentityOf } from '@m2msec/est';
import type { EnroleePrincipal } from '@m2msec/rspf';
import type { MefStore } from '../store/mef-store.js';

export interface SessionIdentity {
  pskIdentity?: string;
  subjectAltNames?: string[];
  fingerprint?: string;
}

export function sessionIdentity(socket: TLSSocket): SessionIdentity {
  const psk = pskIdentityOf(socket);
  if (psk !== undefined) return { pskIdentity: psk };
  if (!socket.authorized) return {};
  const peer = socket.getPeerX509Certificate?.();
  if (!peer) return {};
  return {
    subjectAltNames: (peer.subjectAltName ?? '').split(', ').filter(Boolean),
    fingerprint: createHash('sha256').update(peer.raw).digest('hex'),
  };
}

/** The session as an enrolee principal (a target's PSK identity is not an enrolee). */
export function enroleePrincipal(socket: TLSSocket, store: MefStore): EnroleePrincipal | undefined {
  const s = sessionIdentity(socket);
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
