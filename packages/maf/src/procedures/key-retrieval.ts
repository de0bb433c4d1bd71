// MAF Key Retrieval (TS-0003 8.8.2.8), GET /maf/symmKeyReg/<RelativeKeyID>: a Target MAF Client
// retrieves the key, authorised against the registration's targetIDs.
import { MafError } from '../lib/errors.js';
import { requireKeyClient } from '../server/session.js';
import type { MafProcedure, MafRouteContext } from './context.js';
import { liveKey } from './key-helpers.js';

export function mafKeyRetrieval(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const s = await requireKeyClient(req, ctx);
    const k = await liveKey(ctx, req);
    if (!k.targetIDs.includes(s.clientId)) {
      throw new MafError('FORBIDDEN', `'${s.clientId}' is not an authorised Target MAF Client of this key (8.8.2.8)`);
    }
    const key = await ctx.store.vault.open('symmKey', k.relativeKeyID, k.sealedKey);
    try {
      return [
        2000,
        {
          relativeKeyID: k.relativeKeyID,
          expirationTime: new Date(k.et).toISOString(),
          sourceMafClientID: k.sourceClientID,
          adminFQDN: k.adminFQDN,
          suid: k.suid,
          keyValue: key.toString('base64'),
          ...(k.lbl ? { labels: k.lbl } : {}),
        },
      ];
    } finally {
      key.fill(0);
    }
  };
}
