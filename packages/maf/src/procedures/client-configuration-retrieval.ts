// MAF Client Configuration Retrieval (TS-0003 8.8.2.4), GET /maf/mafClientReg/<id>/mafClientCfg
// -> 2000 {mafClientCfg}: the configuration the administrating stakeholder set for the credential.
import { MafError } from '../lib/errors.js';
import { requireSession } from '../server/session.js';
import { ownRegistration } from './client-session.js';
import type { MafProcedure, MafRouteContext } from './context.js';

export function mafClientConfigurationRetrieval(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const s = await requireSession(req, ctx);
    const reg = await ownRegistration(ctx, String(req.params.id), s);
    const cred = s.via === 'rspf' ? undefined : await ctx.store.credentials.get(s.credentialId);
    if (!cred?.clientConfiguration) {
      throw new MafError(
        'NOT_FOUND',
        `no MAF Client Configuration is associated with registration '${reg.mafClientRegID}'`,
      );
    }
    return [2000, { mafClientCfg: cred.clientConfiguration }];
  };
}
