// The TlsContext of a socket for EST's own dedicated listener (estRequestListener), which runs without
// the shared HTTP edge in front: the same facts the edge reports (binding-http, edge/transport-of.ts),
// built once per handshake (a renegotiation has new Finished messages: rebuilt).
import type { TLSSocket } from 'node:tls';
import type { TlsContext } from '@m2msec/protocol';
import { pskIdentityOf } from './client-identity.js';

const sessions = new WeakMap<TLSSocket, { finished: Buffer | undefined; tls: TlsContext }>();

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (!a || !b) return a === b;
  return a.equals(b);
}

/** Undefined for a socket without TLS. */
export function sessionTlsContext(socket: TLSSocket): TlsContext | undefined {
  if (!socket.encrypted) return undefined;
  const finished = socket.getPeerFinished();
  const hit = sessions.get(socket);
  if (hit && sameBytes(hit.finished, finished)) return hit.tls;
  const tls: TlsContext = {
    exportKeyingMaterial: (length, label, context) =>
      new Uint8Array(
        socket.exportKeyingMaterial(length, label, (context ? Buffer.from(context) : undefined) as Buffer),
      ),
    tlsUnique: () => {
      const first = socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished();
      return first ? new Uint8Array(first) : undefined;
    },
  };
  const protocol = socket.getProtocol?.();
  if (protocol) tls.protocol = protocol;
  const psk = pskIdentityOf(socket);
  if (psk !== undefined) tls.pskIdentity = psk;
  if (socket.authorized) {
    const peer = socket.getPeerX509Certificate?.();
    if (peer) {
      tls.peerCertificate = { subjectAltNames: [], fingerprint256: peer.fingerprint256, der: new Uint8Array(peer.raw) };
    }
  }
  sessions.set(socket, { finished, tls });
  return tls;
}
