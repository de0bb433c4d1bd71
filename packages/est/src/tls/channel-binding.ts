// Channel binding for linking identity and proof of possession (RFC 7030 3.5): the EST client
// puts base64(channel binding) in the CSR's challengePassword, the server recomputes it from
// its side of the TLS session and compares.
// - TLS 1.2: tls-unique (RFC 5929 3.1) = the first Finished message of the latest handshake:
//   the client's Finished in a full handshake, the server's in an abbreviated (resumed) one.
//   So the server reads getPeerFinished() (full) or getFinished() (resumed); the client the reverse.
// - TLS 1.3: tls-unique is undefined; tls-exporter (RFC 9266) = exporter with label
//   "EXPORTER-Channel-Binding", empty context, 32 bytes.
import { timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { TlsContext } from '@m2msec/protocol';

export type ChannelBindingType = 'tls-unique' | 'tls-exporter';

export interface ChannelBinding {
  readonly type: ChannelBindingType;
  readonly value: Uint8Array;
}

const EXPORTER_LABEL = 'EXPORTER-Channel-Binding';

/** The channel binding of a TLS session as seen from `side`; undefined if none can be computed. */
export function channelBinding(socket: TLSSocket, side: 'server' | 'client'): ChannelBinding | undefined {
  const protocol = socket.getProtocol?.();
  if (protocol === 'TLSv1.3') {
    return { type: 'tls-exporter', value: socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)) };
  }
  if (protocol === 'TLSv1.2') {
    const resumed = socket.isSessionReused();
    const clientFirst = side === 'server' ? socket.getPeerFinished() : socket.getFinished();
    const serverFirst = side === 'server' ? socket.getFinished() : socket.getPeerFinished();
    const value = resumed ? serverFirst : clientFirst;
    return value ? { type: 'tls-unique', value } : undefined;
  }
  return undefined;
}

/** The server's channel binding of the session a request arrived on (what the HTTP edge reports). */
export function sessionChannelBinding(tls: TlsContext): ChannelBinding | undefined {
  if (tls.protocol === 'TLSv1.3') {
    const value = tls.exportKeyingMaterial?.(32, EXPORTER_LABEL, new Uint8Array(0));
    return value ? { type: 'tls-exporter', value } : undefined;
  }
  if (tls.protocol === 'TLSv1.2') {
    const value = tls.tlsUnique?.();
    return value ? { type: 'tls-unique', value } : undefined;
  }
  return undefined;
}

/** The challengePassword value RFC 7030 3.5 asks for: base64 of the binding. */
export function channelBindingPassword(binding: ChannelBinding): string {
  return Buffer.from(binding.value).toString('base64');
}

/** Constant-time comparison of a received challengePassword with the expected one. */
export function challengePasswordMatches(received: string, binding: ChannelBinding): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(channelBindingPassword(binding), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
