// Entity B's end of the MAF's key notification (docs/maf.md): POST {keyIdentifier, event} from the MAF
// (no secret in it). B retrieves the key over its own MAF Handshake (refresh: held or dropped) and
// answers when done, so the MAF can tell the Source that B is ready: 200 held, 404 not held, 202 still
// retrieving after waitMs, 400 not a Key Identifier of a MAF B trusts.
import type { MafKeyCache } from '@m2msec/saef';

export const MAF_KEY_NOTIFICATION_PATH = '/.well-known/m2msec/maf-key';

export async function handleMafKeyNotification(
  cache: MafKeyCache,
  body: unknown,
  waitMs = 10_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const b = body as { keyIdentifier?: unknown; event?: unknown } | null;
  const id = b?.keyIdentifier;
  if (typeof id !== 'string' || !cache.isMafIdentity(id)) {
    return { status: 400, body: { error: 'keyIdentifier must be a Key Identifier of a MAF this CSE trusts' } };
  }
  if (b?.event !== undefined && !['registered', 'updated', 'deregistered'].includes(b.event as string)) {
    return { status: 400, body: { error: 'event must be registered, updated or deregistered' } };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), waitMs);
  });
  const held = await Promise.race([cache.refresh(id), timeout]);
  clearTimeout(timer);
  if (held === 'timeout') return { status: 202, body: { keyIdentifier: id, state: 'retrieving' } };
  return held
    ? { status: 200, body: { keyIdentifier: id, state: 'held' } }
    : { status: 404, body: { keyIdentifier: id, state: 'not-held' } };
}
