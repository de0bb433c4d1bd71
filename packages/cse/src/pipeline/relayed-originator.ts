// Requests a neighbour CSE relays for someone else (TS-0004 7.3.2.1, second SA rule; TS-0003 7.1.2):
// over an association bound to CSE P, From may name an originator registered at P or further away.
// Refused with 4106: another registree CSE's CSE-ID or a C-type AE-ID under it, a CSE-relative
// AE-ID-Stem, and (fail closed, where the clause is silent) this CSE's own ID, AEs registered here
// and CREATE <AE> (never forwarded, TS-0004 7.3.2.8). Accepted ones are not authenticated by this CSE
// (rq_authn false): only ESPrim would prove them (TS-0003 7.1.2).
import type { ClassifiedOriginator } from '@m2msec/identification';
import { M2MError, Operation, ResourceType, ResponseStatusCode, type TransportContext } from '@m2msec/protocol';
import { peerOf } from './identify.js';

export interface RelayCheck {
  op: number;
  ty?: number;
  identified: ClassifiedOriginator;
  transport: TransportContext;
  isRegisteredAe(aeId: string): Promise<boolean>;
}

/** The relaying CSE's ID when the request is one a peer CSE relays; undefined when the normal rules apply. */
export async function relayingCse(c: RelayCheck): Promise<string | undefined> {
  const peer = peerOf(c.transport);
  if (peer.kind !== 'cse') return undefined;
  const bound = c.transport.association?.boundIds ?? [];
  const id = c.identified;
  if (id.kind === 'unassigned-ae' || bound.includes(id.id)) return undefined;
  if (c.op === Operation.CREATE && (c.ty === ResourceType.AE || c.ty === ResourceType.remoteCSE)) return undefined;
  const refuse = (why: string): never => {
    throw new M2MError(
      ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
      `CSE '${peer.cseId}' cannot relay a request from '${id.id}': ${why} (TS-0004 7.3.2.1)`,
    );
  };
  if (id.cseRelativeCStem) refuse('a relayed From carries the SP-relative AE-ID, not an AE-ID-Stem');
  if (id.ownedByAnotherRegistree) refuse('the originator belongs to another registree CSE');
  if (id.ownedByThisCse) refuse('the originator belongs to this CSE');
  if (id.kind === 'ae-s' && (await c.isRegisteredAe(id.id))) refuse('the AE is registered to this CSE');
  return peer.cseId;
}
