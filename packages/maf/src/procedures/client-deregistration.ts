// MAF Client De-Registration (TS-0003 8.8.2.6), DELETE /maf/mafClientReg/<id> -> 2002.
import { requireSession } from '../server/session.js';
import { ownRegistration } from './client-session.js';
import type { MafProcedure, MafRouteContext } from './context.js';

export function mafClientDeregistration(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const s = await requireSession(req, ctx);
    const reg = await ownRegistration(ctx, String(req.params.id), s);
    await ctx.store.deleteRegistration(reg);
    return [2002, {}];
  };
}
