// The TransportContext of a request at the HTTP edge (DESIGN.md section 2): peer address, and for a
// TLS socket what its handshake proved (verified certificate, PSK identity) and its RFC 5705 exporter.
// The one place the edge's handlers get session facts from; they never see the socket.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { TlsContext, TransportContext } from '@m2msec/protocol';
import { normalisePeerAddress } from '../transport/peer-address.js';

/** subjectAltName entries 'URI:x, DNS:y' as ['URI:x', 'DNS:y'] (Node's text form, prefix kept). */
function altNames(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(', ')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

export function edgeTransportOf(
  req: IncomingMessage,
  pskIdentityOf?: (socket: TLSSocket) => string | undefined,
): TransportContext {
  const socket = req.socket as TLSSocket;
  const ctx: TransportContext = { binding: 'http' };
  if (socket.remoteAddress !== undefined) {
    ctx.peerAddress = normalisePeerAddress(socket.remoteAddress);
    ctx.peerPort = socket.remotePort;
  }
  if (!socket.encrypted) return ctx;
  const tls: TlsContext = {
    exportKeyingMaterial: (length, label, context) =>
      // No context and an empty one differ in RFC 5705; Node's typing wants a Buffer, its code accepts none.
      new Uint8Array(
        socket.exportKeyingMaterial(length, label, (context ? Buffer.from(context) : undefined) as Buffer),
      ),
  };
  const psk = pskIdentityOf?.(socket);
  if (psk !== undefined) tls.pskIdentity = psk;
  if (socket.authorized) {
    const peer = socket.getPeerX509Certificate?.();
    if (peer) {
      tls.peerCertificate = {
        subjectAltNames: altNames(peer.subjectAltName),
        fingerprint256: peer.fingerprint256,
        der: new Uint8Array(peer.raw),
      };
    }
  }
  ctx.tls = tls;
  return ctx;
}
