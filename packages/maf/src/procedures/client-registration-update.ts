// MAF Client Registration Update (TS-0003 8.8.2.5), PUT /maf/mafClientReg/<id> -> 2004 with the
// changed attributes only (Table 8.8.2.5-2). A KeID session gets its assigned KmID here as well.
import { bad, body, expirationTime, labels, mafFqdnMatches, notificationUri } from '../lib/validate.js';
import { requireSession } from '../server/session.js';
import type { ClientRegistration } from '../store/records.js';
import { assignKm, lifetimeCap, ownRegistration } from './client-session.js';
import type { MafProcedure, MafRouteContext } from './context.js';

export function mafClientRegistrationUpdate(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const b = body(req.body, 'MAF Client Registration Update', [
      'mafFQDN',
      'expirationTime',
      'labels',
      'notificationURI',
    ]);
    mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
    if (b.expirationTime === undefined && b.labels === undefined && b.notificationURI === undefined) {
      bad('an update carries expirationTime, labels and/or notificationURI (Table 8.8.2.5-1)');
    }
    const lbl = labels(b.labels);
    const nu = notificationUri(b.notificationURI);
    const s = await requireSession(req, ctx);
    const now = ctx.now();
    const et =
      b.expirationTime === undefined
        ? undefined
        : Math.min(expirationTime(b.expirationTime, 'expirationTime', now), lifetimeCap(ctx, s));
    const reg = await ownRegistration(ctx, String(req.params.id), s);
    const km = await assignKm(ctx, s);
    const next: ClientRegistration = {
      ...reg,
      ...(et !== undefined ? { et } : {}),
      ...(lbl ? { lbl } : {}),
      ...(nu ? { nu } : {}),
      ...(km ? { credentialId: km.record.credentialId } : {}),
    };
    await ctx.store.commitRegistration(next, km);
    return [
      2004,
      {
        ...(et !== undefined ? { expirationTime: new Date(next.et).toISOString() } : {}),
        ...(lbl ? { labels: lbl } : {}),
        ...(nu ? { notificationURI: nu } : {}),
        ...(km ? { assignedSymmKeyID: km.record.kmId } : {}),
      },
    ];
  };
}
