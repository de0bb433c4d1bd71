// The DerivedKey trust anchor's endpoints inside the MAF, reached over a MAF Handshake (docs/maf.md):
//   POST /maf/dkTrustAnchor/<TA_id>/grants       -> 2001 {identity, key, sequenceNumber}: K_RS-C for the
//        client's C_id (the administrating stakeholder maps MAF Client IDs to C_ids)
//   POST /maf/dkTrustAnchor/<TA_id>/revocations  {sequenceNumbers} -> 2001 {revocation, delivered}: the
//        holder of a grant revokes its own numbers, a TA administrator any; the MAC'd revocation is
//        POSTed to the TA's resource servers and returned for out-of-band delivery.
import type { DerivedKeyRevocation } from '@m2msec/saef';
import express, { type Router } from 'express';
import { MafError } from '../lib/errors.js';
import { bad, body } from '../lib/validate.js';
import { requireKeyClient } from '../server/session.js';
import type { HostedTrustAnchors } from '../trust-anchor/hosted-trust-anchors.js';
import { type MafRouteContext, route, socketOf } from './context.js';

const SEQ = /^(0|[1-9][0-9]{0,19})$/;

export function trustAnchorRouter(ctx: MafRouteContext, anchors: HostedTrustAnchors): Router {
  const r = express.Router();
  const json = express.json({ limit: '16kb' });

  r.post(
    '/maf/dkTrustAnchor/:taId/grants',
    json,
    route(ctx, async (req) => {
      if (req.body !== undefined && Object.keys(body(req.body, 'DerivedKey grant', [])).length > 0) {
        bad('a DerivedKey grant request has no attributes');
      }
      const s = await requireKeyClient(socketOf(req), ctx);
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
    }),
  );

  r.post(
    '/maf/dkTrustAnchor/:taId/revocations',
    json,
    route(ctx, async (req) => {
      const b = body(req.body, 'DerivedKey revocation', ['sequenceNumbers']);
      const seqs = b.sequenceNumbers;
      if (!Array.isArray(seqs) || seqs.length === 0 || seqs.length > 1024) {
        bad('sequenceNumbers must be a list of 1 to 1024 decimal strings');
      }
      for (const q of seqs) {
        if (typeof q !== 'string' || !SEQ.test(q) || BigInt(q) >= 2n ** 64n) {
          bad('each sequence number must be a decimal string in 0..2^64-1');
        }
      }
      const s = await requireKeyClient(socketOf(req), ctx);
      const rec = await anchors.record(String(req.params.taId));
      if (!rec.administrators.includes(s.clientId)) {
        for (const q of seqs as string[]) {
          const g = await ctx.store.trustAnchorGrants.get(`${rec.taId}/${q}`);
          if (g?.clientId !== s.clientId) {
            throw new MafError('FORBIDDEN', `sequence number ${q} was not issued to '${s.clientId}' by '${rec.taId}'`);
          }
        }
      }
      const revocation = await anchors.revoke(
        rec,
        (seqs as string[]).map((q) => BigInt(q)),
      );
      const delivered = await deliver(rec.resourceServers, revocation, ctx.notify.timeoutMs);
      ctx.log?.('DerivedKey revocation issued', { taId: rec.taId, count: seqs.length, delivered });
      return [2001, { revocation, delivered }];
    }),
  );
  return r;
}

async function deliver(
  urls: readonly string[],
  revocation: DerivedKeyRevocation,
  timeoutMs: number,
): Promise<Record<string, number | 'unreachable'>> {
  const out: Record<string, number | 'unreachable'> = {};
  await Promise.all(
    urls.map(async (u) => {
      try {
        const res = await fetch(u, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(revocation),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        await res.arrayBuffer().catch(() => undefined);
        out[u] = res.status;
      } catch {
        out[u] = 'unreachable';
      }
    }),
  );
  return out;
}
