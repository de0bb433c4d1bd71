// DerivedKey grant of the trust anchor hosted in the MAF (TS-0003 8.2.2.3 DerivedKey mode, docs/maf.md):
//   POST /maf/dkTrustAnchor/<TA_id>/grants -> 2001 {identity, key, sequenceNumber}: K_RS-C for the
//   client's C_id (the administrating stakeholder maps MAF Client IDs to C_ids), over a MAF Handshake.
import { MafError } from '../lib/errors.js';
import { bad, body } from '../lib/validate.js';
import { requireKeyClient } from '../server/session.js';
import type { HostedTrustAnchors } from '../trust-anchor/hosted-trust-anchors.js';
import type { MafProcedure, MafRouteContext } from './context.js';

export function derivedKeyGrant(ctx: MafRouteContext, anchors: HostedTrustAnchors): MafProcedure {
  return async (req) => {
    if (req.body !== undefined && Object.keys(body(req.body, 'DerivedKey grant', [])).length > 0) {
      bad('a DerivedKey grant request has no attributes');
    }
    const s = await requireKeyClient(req, ctx);
    const rec = await anchors.record(String(req.params.taId));
    const cId = rec.clients[s.clientId];
    if (!cId) throw new MafError('FORBIDDEN', `'${s.clientId}' is not a client of trust anchor '${rec.taId}'`);
    const grant = await anchors.issue(rec, cId);
    try {
      const seq = grant.sequenceNumber.toString();
      await ctx.store.trustAnchorGrants.put(`${rec.taId}/${seq}`, {
        taId: rec.taId,
        sequenceNumber: seq,
        clientId: s.clientId,
        issuedAt: ctx.now(),
      });
      return [
        2001,
        { taId: rec.taId, identity: grant.identity, key: grant.key.toString('base64'), sequenceNumber: seq },
      ];
    } finally {
      grant.key.fill(0);
    }
  };
}
