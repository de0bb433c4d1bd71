// The TransportContext of a request at the HTTP edge (DESIGN.md section 2): peer address, and for a
// TLS socket what its handshake proved (verified certificate, PSK identity), its RFC 5705 exporter and
// its RFC 5929 tls-unique (EST channel binding, RFC 7030 3.5). The one place the edge's handlers get
// session facts from; they never see the socket. The TlsContext is built once per handshake and shared
// by the requests of a keep-alive connection (a renegotiation has new Finished messages: rebuilt).
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

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (!a || !b) return a === b;
  return a.equals(b);
}

function tlsContextOf(socket: TLSSocket, pskIdentityOf?: (socket: TLSSocket) => string | undefined): TlsContext {
  const tls: TlsContext = {
    exportKeyingMaterial: (length, label, context) =>
      // No context and an empty one differ in RFC 5705; Node's typing wants a Buffer, its code accepts none.
      new Uint8Array(
        socket.exportKeyingMaterial(length, label, (context ? Buffer.from(context) : undefined) as Buffer),
      ),
    // tls-unique is the first Finished of the latest handshake: the client's in a full handshake, the
    // server's own in an abbreviated (resumed) one (RFC 5929 3.1).
    tlsUnique: () => {
      const first = socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished();
      return first ? new Uint8Array(first) : undefined;
    },
  };
  const protocol = socket.getProtocol?.();
  if (protocol) tls.protocol = protocol;
  tls.onClose = (listener) => {
    socket.once('close', listener);
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
  return tls;
}

/** A TransportContext builder with its own per-handshake cache (one per edge: its pskIdentityOf). */
export function edgeTransportOf(
  pskIdentityOf?: (socket: TLSSocket) => string | undefined,
): (req: IncomingMessage) => TransportContext {
  const sessions = new WeakMap<TLSSocket, { finished: Buffer | undefined; tls: TlsContext }>();
  return (req) => {
    const socket = req.socket as TLSSocket;
    const ctx: TransportContext = { binding: 'http' };
    if (socket.remoteAddress !== undefined) {
      ctx.peerAddress = normalisePeerAddress(socket.remoteAddress);
      ctx.peerPort = socket.remotePort;
    }
    if (!socket.encrypted) return ctx;
    const finished = socket.getPeerFinished();
    const hit = sessions.get(socket);
    if (hit && sameBytes(hit.finished, finished)) {
      ctx.tls = hit.tls;
      return ctx;
    }
    const tls = tlsContextOf(socket, pskIdentityOf);
    sessions.set(socket, { finished, tls });
    ctx.tls = tls;
    return ctx;
  };
}
