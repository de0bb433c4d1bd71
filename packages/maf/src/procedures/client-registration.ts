// MAF Client Registration (TS-0003 8.8.2.3), POST /maf/mafClientReg -> 2001 <mafClientReg>
// (TS-0032 was not available; docs/maf.md). A session authenticated by a MEF-provisioned Km
// (psk_identity = KeID, SUID 21) registers here and receives the KmID the MAF assigns
// (assignedSymmKeyID) for every later MAF Handshake.
import { randomUUID } from 'node:crypto';
import { body, expirationTime, fqdn, labels, mafFqdnMatches, notificationUri } from '../lib/validate.js';
import { requireSession } from '../server/session.js';
import type { ClientRegistration } from '../store/records.js';
import { assignKm, lifetimeCap } from './client-session.js';
import type { MafProcedure, MafRouteContext } from './context.js';

export function mafClientRegistration(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
    const b = body(req.body, 'MAF Client Registration', [
      'mafFQDN',
      'expirationTime',
      'labels',
      'adminFQDN',
      'notificationURI',
    ]);
    mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
    const adminFQDN = fqdn(b.adminFQDN, 'adminFQDN').toLowerCase();
    const lbl = labels(b.labels);
    const nu = notificationUri(b.notificationURI);
    const s = await requireSession(req, ctx);
    const now = ctx.now();
    const et = Math.min(expirationTime(b.expirationTime, 'expirationTime', now), lifetimeCap(ctx, s));
    const km = await assignKm(ctx, s);
    const reg: ClientRegistration = {
      mafClientRegID: randomUUID(),
      clientId: s.clientId,
      adminFQDN,
      et,
      ...(lbl ? { lbl } : {}),
      ...(nu ? { nu } : {}),
      credentialId: km ? km.record.credentialId : s.via === 'rspf' ? s.keId : s.credentialId,
      ct: now,
    };
    await ctx.store.commitRegistration(reg, km);
    ctx.log?.('MAF client registered', { clientId: s.clientId, adminFQDN, via: s.via });
    return [
      2001,
      {
        mafClientRegID: reg.mafClientRegID,
        expirationTime: new Date(reg.et).toISOString(),
        mafClientID: reg.clientId,
        adminFQDN,
        ...(lbl ? { labels: lbl } : {}),
        ...(nu ? { notificationURI: nu } : {}),
        ...(km ? { assignedSymmKeyID: km.record.kmId } : {}),
      },
    ];
  };
}
