// DerivedKey revocation of the trust anchor hosted in the MAF (docs/maf.md):
//   POST /maf/dkTrustAnchor/<TA_id>/revocations {sequenceNumbers} -> 2001 {revocation, delivered}: the
//   holder of a grant revokes its own numbers, a TA administrator any; the MAC'd revocation is POSTed to
//   the TA's resource servers and returned for out-of-band delivery.
import type { DerivedKeyRevocation } from '@m2msec/saef';
import { MafError } from '../lib/errors.js';
import { bad, body } from '../lib/validate.js';
import { requireKeyClient } from '../server/session.js';
import type { HostedTrustAnchors } from '../trust-anchor/hosted-trust-anchors.js';
import type { MafProcedure, MafRouteContext } from './context.js';

const SEQ = /^(0|[1-9][0-9]{0,19})$/;

export function derivedKeyRevocation(ctx: MafRouteContext, anchors: HostedTrustAnchors): MafProcedure {
  return async (req) => {
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
    const s = await requireKeyClient(req, ctx);
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
  };
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
