// MAF Key De-Registration (TS-0003 8.8.2.10), DELETE /maf/symmKeyReg/<RelativeKeyID>: the Source stops
// the distribution of the key; the Target MAF Clients are told.
import type { MafProcedure, MafRouteContext } from './context.js';
import { notifyKeyTargets, ownKey } from './key-helpers.js';

export function mafKeyDeregistration(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const k = await ownKey(ctx, req);
    await ctx.store.keyRegs.delete(k.relativeKeyID);
    const notified = await notifyKeyTargets(ctx, k.targetIDs, k.relativeKeyID, 'deregistered');
    return [2002, { notifiedTargets: notified }];
  };
}
