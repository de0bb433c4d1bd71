// Identification step (TS-0003 6.2.1): From classified by the identification function for the way the
// request arrived, normalised to the form the access decision matches (TS-0001 7.2).
import { type ClassifiedOriginator, classifyOriginator, type Peer } from '@m2msec/identification';
import { parseOriginator, type RequestPrimitive, type TransportContext } from '@m2msec/protocol';
import type { Core } from '../core.js';

/** Who handed us the request, as far as the security association tells (TS-0003 8.2.1). */
export function peerOf(transport: TransportContext): Peer {
  const bound = transport.association?.boundIds;
  if (!bound || bound.length === 0) return { kind: 'unknown' };
  try {
    const first = parseOriginator(bound[0]!);
    if (first.kind === 'cse' && first.scope !== 'absolute') return { kind: 'cse', cseId: first.cseId! };
    if (first.kind === 'cse' && first.spId) return { kind: 'remote-sp', spId: first.spId };
    if (first.kind === 'ae-c' || first.kind === 'ae-s') return { kind: 'ae' };
  } catch {
    // a credential-ID bound before its AE-ID / CSE-ID is known
  }
  return { kind: 'unknown' };
}

export function identify(core: Core, req: RequestPrimitive, transport: TransportContext): ClassifiedOriginator {
  return classifyOriginator(req, peerOf(transport), { ...core.idContext, registreeCseIds: core.registreeCseIds });
}
