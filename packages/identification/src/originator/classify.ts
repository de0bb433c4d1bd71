// Originator (From) well-formedness per operation and arrival path: TS-0001 7.2 (Table 7.2-1 and the
// rules after it), TS-0004 7.3.2.1 (receiver checks), TS-0001 10.2.2.2 / 10.2.2.7 (registration From).
// Pure and synchronous: the CSE calls it on every request. 4000 for malformed From; the 4106 / 4107
// decisions are left to authentication, which gets the facts it needs in the result.
import { Operation, type Originator, parseOriginator, ResourceType, toSpRelativeOriginator } from '@m2msec/protocol';
import { badRequest, show } from '../lib/errors.js';
import { isSpFqdn } from '../lib/fqdn.js';
import type {
  ClassifiedOriginator,
  ClassifyContext,
  OriginatorRequest,
  Peer,
  UnassignedAeOriginator,
} from './types.js';

const UNASSIGNED_NONE: UnassignedAeOriginator = Object.freeze({ kind: 'unassigned-ae', requested: undefined, id: '' });
const UNASSIGNED_C: UnassignedAeOriginator = Object.freeze({ kind: 'unassigned-ae', requested: 'C', id: '' });
const UNASSIGNED_S: UnassignedAeOriginator = Object.freeze({ kind: 'unassigned-ae', requested: 'S', id: '' });

export function classifyOriginator(req: OriginatorRequest, peer: Peer, ctx: ClassifyContext): ClassifiedOriginator {
  const fr = req.fr;
  const isCreate = req.op === Operation.CREATE;
  const aeRegistration = isCreate && req.ty === ResourceType.AE;

  if (aeRegistration && (peer.kind === 'cse' || peer.kind === 'remote-sp')) {
    // TS-0004 7.4.5.2.1: a CSE shall not originate CREATE <AE>; 7.3.2.8: registrations are not forwarded.
    badRequest('CREATE <AE> must come from the registering AE itself, not through a CSE (TS-0004 7.4.5.2.1)');
  }
  if (fr === undefined || fr === '') {
    if (aeRegistration) return UNASSIGNED_NONE;
    badRequest('From is missing; only CREATE <AE> may omit it (TS-0004 7.3.2.1)');
  }
  if (fr === 'C' || fr === 'S') {
    if (aeRegistration) return fr === 'C' ? UNASSIGNED_C : UNASSIGNED_S;
    badRequest(`From ${show(fr)} only asks for an AE-ID at CREATE <AE>; it is not an AE-ID-Stem (TS-0001 10.2.2.2)`);
  }

  let o = parseOriginator(fr);
  if (o.kind === 'other') {
    badRequest(`From ${show(fr)} is not an AE-ID-Stem: its first character must be 'C' or 'S' (TS-0001 Table 7.2-1)`);
  }
  // parseOriginator takes a bare 'C' / 'S' after a CSE-ID as a stem; the ABNF needs 1*unreserved after it.
  if (o.stem !== undefined && o.stem.length < 2) {
    badRequest(`From ${show(fr)} has an empty AE-ID-Stem after '${o.stem}' (TS-0004 6.2.3)`);
  }
  if (o.scope === 'absolute' && !isSpFqdn(o.spId!)) {
    badRequest(`From ${show(fr)}: M2M-SP-ID must be a lowercase FQDN (TS-0004 6.2.3)`);
  }
  const sameSp = o.scope !== 'absolute' || o.spId === ctx.spId;
  if (sameSp && o.kind === 'ae-s' && o.scope !== 'cse-relative') {
    // '/S…' is either an S-type AE-ID or a CSE-ID starting with 'S' (the ABNF is ambiguous); a CSE we know wins.
    const asCseId = o.scope === 'sp-relative' ? o.raw : `/${o.stem}`;
    if (isKnownCseId(asCseId, peer, ctx)) o = { kind: 'cse', scope: o.scope, spId: o.spId, cseId: asCseId, raw: o.raw };
  }

  switch (peer.kind) {
    case 'ae':
      // TS-0001 7.2: an AE originator uses its AE-ID-Stem; TS-0004 7.3.2.1: any other form is 4000.
      if (o.scope !== 'cse-relative') {
        badRequest(
          `From ${show(fr)}: an AE sends its AE-ID-Stem (CSE-relative form) to its registrar (TS-0004 7.3.2.1)`,
        );
      }
      break;
    case 'remote-sp':
      // TS-0001 7.2: the IN-CSE makes From absolute before it leaves its SP; Mcc' carries absolute IDs only.
      if (o.scope !== 'absolute') {
        badRequest(`From ${show(fr)}: requests over Mcc' carry an absolute originator ID (TS-0001 7.2)`);
      }
      break;
  }
  if (aeRegistration && o.scope !== 'cse-relative') {
    badRequest(`From ${show(fr)}: CREATE <AE> carries an AE-ID-Stem or no From (TS-0001 10.2.2.2 step 002)`);
  }
  if (isCreate && req.ty === ResourceType.remoteCSE && o.kind !== 'cse') {
    badRequest(`From ${show(fr)}: CREATE <remoteCSE> is sent with the registering CSE's CSE-ID (TS-0001 10.2.2.7)`);
  }
  return identify(o, sameSp, peer, ctx);
}

function isKnownCseId(cseId: string, peer: Peer, ctx: ClassifyContext): boolean {
  return cseId === ctx.cseId || ctx.registreeCseIds.has(cseId) || (peer.kind === 'cse' && peer.cseId === cseId);
}

// toSpRelativeOriginator without rebuilding IDs that are already in SP-relative or foreign absolute form.
function spRelativeId(o: Originator, sameSp: boolean, ctx: ClassifyContext): string {
  if (o.scope === 'sp-relative') return o.raw;
  if (o.scope === 'absolute' && !sameSp) return o.raw;
  return toSpRelativeOriginator(o, ctx);
}

function identify(o: Originator, sameSp: boolean, peer: Peer, ctx: ClassifyContext): ClassifiedOriginator {
  const id = spRelativeId(o, sameSp, ctx);
  const kind = o.kind as 'cse' | 'ae-c' | 'ae-s';
  // The CSE-ID that owns the ID: the CSE itself, or a C-type AE's registrar. S-type AEs have none.
  const owner = kind === 'cse' ? o.cseId! : kind === 'ae-c' ? (o.cseId ?? ctx.cseId) : undefined;
  const ownedByThisCse = sameSp && owner === ctx.cseId;
  let registrarIsThisCse: boolean | undefined;
  if (!sameSp) registrarIsThisCse = false;
  else if (kind === 'cse') registrarIsThisCse = ctx.registreeCseIds.has(owner!);
  else if (kind === 'ae-c') registrarIsThisCse = ownedByThisCse;
  else registrarIsThisCse = peer.kind === 'ae' ? true : undefined;
  return {
    kind,
    originator: o,
    id,
    stem: o.stem,
    sameSp,
    registrarIsThisCse,
    ownedByThisCse,
    ownedByAnotherRegistree:
      peer.kind === 'cse' &&
      sameSp &&
      owner !== undefined &&
      owner !== peer.cseId &&
      ctx.registreeCseIds.has(owner) &&
      (kind === 'cse' || o.scope !== 'cse-relative'),
    cseRelativeCStem: kind === 'ae-c' && o.scope === 'cse-relative',
    withinPeerSp: peer.kind !== 'remote-sp' || (o.scope === 'absolute' && o.spId === peer.spId),
  };
}
