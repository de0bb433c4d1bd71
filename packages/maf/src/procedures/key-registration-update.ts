// MAF Key Registration Update (TS-0003 8.8.2.9), PUT /maf/symmKeyReg/<RelativeKeyID>: the Source
// changes expirationTime, labels and/or targetIDs; old and new targets are told.
import { bad, body, expirationTime, labels, mafFqdnMatches, targetIds } from '../lib/validate.js';
import type { KeyRegistration } from '../store/records.js';
import type { MafProcedure, MafRouteContext } from './context.js';
import { notifyKeyTargets, ownKey } from './key-helpers.js';

export function mafKeyRegistrationUpdate(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const b = body(req.body, 'MAF Key Registration Update', ['mafFQDN', 'expirationTime', 'labels', 'targetIDs']);
    mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
    if (b.expirationTime === undefined && b.labels === undefined && b.targetIDs === undefined) {
      bad('an update carries expirationTime, labels and/or targetIDs (Table 8.8.2.9-1)');
    }
    const lbl = labels(b.labels);
    const k = await ownKey(ctx, req);
    const now = ctx.now();
    const et =
      b.expirationTime === undefined
        ? undefined
        : Math.min(
            expirationTime(b.expirationTime, 'expirationTime', now, ctx.maxKeyLifetimeMs),
            k.ct + ctx.maxKeyLifetimeMs,
          );
    const targets = b.targetIDs === undefined ? undefined : targetIds(b.targetIDs, k.suid);
    const next: KeyRegistration = {
      ...k,
      ...(et !== undefined ? { et } : {}),
      ...(lbl ? { lbl } : {}),
      ...(targets ? { targetIDs: targets } : {}),
    };
    await ctx.store.keyRegs.put(k.relativeKeyID, next);
    // Old and new targets re-sync: a removed target's retrieval now fails and it drops the key.
    const notified = await notifyKeyTargets(
      ctx,
      [...new Set([...k.targetIDs, ...next.targetIDs])],
      k.relativeKeyID,
      'updated',
    );
    return [
      2004,
      {
        ...(et !== undefined ? { expirationTime: new Date(next.et).toISOString() } : {}),
        ...(lbl ? { labels: lbl } : {}),
        ...(targets ? { targetIDs: targets } : {}),
        notifiedTargets: notified,
      },
    ];
  };
}
