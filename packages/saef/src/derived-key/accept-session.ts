// The completion step of a DerivedKey handshake (resource-server.ts): on the TLS server's
// 'secureConnection' event the Finished messages have proved K_RS-C, so the session's sequence number
// is accepted now; if it cannot be (a concurrent handshake with the same number completed first, a
// revocation arrived meanwhile, the journal failed) the socket is destroyed here, synchronously, before
// the HTTP parser can read a request from it. A refusal decided later (shared windows: another instance
// committed the number first) destroys it then; its requests are held by the durability gate meanwhile.
import type { TLSSocket } from 'node:tls';
import { pskIdentityOf } from '../psk/session.js';
import { isDerivedKeyIdentity } from './identity.js';
import type { DerivedKeyAcceptance, DerivedKeyResourceServer } from './resource-server.js';

/**
 * Accepts the DerivedKey identity the socket's handshake used. Returns undefined for a session that is
 * not a DerivedKey one (nothing to do), else the acceptance; a refused session is already destroyed.
 */
export function acceptDerivedKeySession(
  rs: DerivedKeyResourceServer,
  socket: TLSSocket,
): DerivedKeyAcceptance | undefined {
  const identity = pskIdentityOf(socket);
  if (identity === undefined || !isDerivedKeyIdentity(identity)) return undefined;
  const a = rs.accept(identity);
  if (!a.ok) socket.destroy();
  // The acceptance may still be refused after the fact: in shared mode another instance took the number
  // first (or the journal's sync failed). Requests already wait for it (durability gate); end the session.
  else rs.durable(identity).catch(() => socket.destroy());
  return a;
}
