// What the TLS session of a request proved (MEF Handshake, 8.3.5.2.2): the PSK identity (KpmID or a
// target's identity) or a verified client certificate, as the shared HTTP edge reports them in the
// request's TlsContext. HTTP-level credentials never count here.
import { createHash } from 'node:crypto';
import type { TlsContext, TransportContext } from '@m2msec/protocol';
import type { EnroleePrincipal } from '@m2msec/rspf';
import type { MefStore } from '../store/mef-store.js';

export interface SessionIdentity {
  pskIdentity?: string;
  subjectAltNames?: string[];
  fingerprint?: string;
  /**
   * Over MQTT (no MEF Handshake: the client's TLS session ends at the broker): the Absolute ID of the
   * originator the broker authenticated, TS-0010 7.2 (docs/mef.md "Mmef over MQTT").
   */
  brokerId?: string;
}

/**
 * The session of an Mmef request: the MEF Handshake's TLS facts, or, only when the MQTT binding carried
 * it (framework 'mqtt-broker') and the MEF serves MQTT for M2M-SP `spId`, the broker-proven originator
 * '/id-mn' as '//<spId>/id-mn'. No other binding or header can set the broker's framework.
 */
export function mmefSession(transport: TransportContext, spId: string | undefined): SessionIdentity {
  const a = transport.association;
  if (transport.binding === 'mqtt' && a?.framework === 'mqtt-broker') {
    const id = a.boundIds.length === 1 ? a.boundIds[0]! : '';
    if (spId === undefined || !id.startsWith('/') || transport.tls !== undefined) return {};
    return { brokerId: id.startsWith('//') ? id : `//${spId}${id}` };
  }
  return sessionIdentity(transport.tls);
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
  if (s.brokerId !== undefined) return `mqtt:${s.brokerId}`;
  if (s.pskIdentity !== undefined) return `psk:${s.pskIdentity}`;
  if (s.fingerprint) return `certificate:${s.fingerprint}`;
  return undefined;
}
