// What the MAF key procedures (8.8.2.7-8.8.2.10) share: the Key Identifier form (10.3.5), the live key
// registration behind a RelativeKeyID, the Source-only check, and notifying the Target MAF Clients.
import { MafError } from '../lib/errors.js';
import { relativeKeyId } from '../lib/validate.js';
import { type KeyEvent, notifyTargets } from '../server/notify.js';
import { requireKeyClient } from '../server/session.js';
import type { KeyRegistration } from '../store/records.js';
import type { MafRequest, MafRouteContext } from './context.js';

export const keyIdentifier = (ctx: MafRouteContext, rid: string) => `${rid}@${ctx.mafFqdn}`;

/**
 * Every key registration, update (rotation) and de-registration passes here: its lifecycle line (the Key
 * Identifier and the Targets, never the key), then the Targets' notification.
 */
export function notifyKeyTargets(ctx: MafRouteContext, targets: readonly string[], rid: string, event: KeyEvent) {
  const id = keyIdentifier(ctx, rid);
  ctx.log?.(`key ${event}`, { kind: 'lifecycle', event: `key-${event}`, keyIdentifier: id, targetIDs: targets });
  return notifyTargets(ctx.notify, targets, id, event);
}

/** The key registration named by the path, 4004 when absent or expired (an expired one is dropped). */
export async function liveKey(ctx: MafRouteContext, req: MafRequest): Promise<KeyRegistration> {
  const rid = relativeKeyId(req.params.rid);
  const k = await ctx.store.keyRegs.get(rid);
  if (!k) throw new MafError('NOT_FOUND', `no key registration '${rid}'`);
  if (k.et <= ctx.now()) {
    await ctx.store.keyRegs.delete(rid);
    throw new MafError('NOT_FOUND', `the key registration '${rid}' expired at ${new Date(k.et).toISOString()}`);
  }
  return k;
}

/** The key registration when the session's client is its Source, else 4103. */
export async function ownKey(ctx: MafRouteContext, req: MafRequest): Promise<KeyRegistration> {
  const s = await requireKeyClient(req, ctx);
  const k = await liveKey(ctx, req);
  if (k.sourceClientID !== s.clientId) {
    throw new MafError('FORBIDDEN', 'only the Source MAF Client may change or deregister the key registration');
  }
  return k;
}
