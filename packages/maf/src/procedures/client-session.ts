// What the MAF Client Registration procedures (8.8.2.3-8.8.2.6) share: the registration a session owns,
// the lifetime cap a session's credential sets, and the KmID assigned to a MEF-provisioned Km.
import { randomBytes } from 'node:crypto';
import { formatKmID } from '@m2msec/crypto';
import { MafError } from '../lib/errors.js';
import { bad } from '../lib/validate.js';
import type { MafSession } from '../server/session.js';
import type { ClientRegistration, MafCredentialRecord } from '../store/records.js';
import type { MafRouteContext } from './context.js';

const REG_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A session's credential may not outlive itself: cap registration lifetimes by it. */
export function lifetimeCap(ctx: MafRouteContext, s: MafSession): number {
  const max = ctx.now() + ctx.maxRegistrationLifetimeMs;
  return s.via === 'certificate' || s.via === 'mqtt' || s.expiresAt === undefined ? max : Math.min(max, s.expiresAt);
}

/** For a KeID session: the Km it proved, under a fresh KmID (8.8.2.3 assignedSymmKeyID). */
export async function assignKm(
  ctx: MafRouteContext,
  s: MafSession,
): Promise<{ record: MafCredentialRecord; key: Buffer } | undefined> {
  if (s.via !== 'rspf') return undefined;
  const kmId = formatKmID(randomBytes(16).toString('hex'), ctx.mafFqdn);
  const record = await ctx.store.sealKm(
    { kmId, clientId: s.clientId, suid: 21, keId: s.keId, expiresAt: s.expiresAt, createdAt: ctx.now() },
    s.km,
  );
  return { record, key: s.km };
}

/** The live registration `id` of the session's client, else 4004 / 4103. */
export async function ownRegistration(ctx: MafRouteContext, id: string, s: MafSession): Promise<ClientRegistration> {
  if (!REG_ID.test(id)) bad('mafClientRegID must be the UUID the MAF assigned');
  const reg = await ctx.store.clientRegs.get(id);
  if (!reg || reg.et <= ctx.now()) throw new MafError('NOT_FOUND', `no MAF Client Registration '${id}'`);
  if (reg.clientId !== s.clientId) throw new MafError('FORBIDDEN', 'the registration belongs to another MAF client');
  return reg;
}
