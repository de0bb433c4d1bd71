// Node hands the server's pskCallback the socket but keeps the identity to itself afterwards: the
// identity a handshake used is remembered here, per socket, for the security-association function.
import type { TLSSocket } from 'node:tls';

const identities = new WeakMap<TLSSocket, string>();

export function rememberPskIdentity(socket: TLSSocket, identity: string): void {
  identities.set(socket, identity);
}

/** The psk_identity the handshake on this socket was completed with (undefined: not a PSK session). */
export function pskIdentityOf(socket: TLSSocket): string | undefined {
  return identities.get(socket);
}
