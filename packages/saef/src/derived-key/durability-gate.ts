// Requests on a DerivedKey session wait until the session's acceptance is on stable storage
// (journal.ts): the handshake itself never waits for a disk sync, the first request does. A session
// whose number was never accepted at handshake completion (acceptDerivedKeySession) is refused.
import type { RequestHandler } from '@m2msec/protocol';
import { isDerivedKeyIdentity } from './identity.js';
import type { DerivedKeyResourceServer } from './resource-server.js';

export function derivedKeyDurabilityGate(handler: RequestHandler, rs: DerivedKeyResourceServer): RequestHandler {
  return async (req, transport) => {
    const identity = transport.tls?.pskIdentity;
    if (identity !== undefined && isDerivedKeyIdentity(identity)) await rs.durable(identity);
    return handler(req, transport);
  };
}
