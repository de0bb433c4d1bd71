// The MAF announces key registrations to their targets (m2msec extension, docs/maf.md): each target
// that is a registered MAF client with a notificationURI gets POST {keyIdentifier, event}. The body
// carries no secret: the target answers by MAF Key Retrieval over its own MAF Handshake (8.8.2.8),
// authorised against targetIDs as always, and replies once it holds the key (or knows it is gone).
// The MAF awaits these replies (bounded) before answering the Source, so Entity A's first handshake
// with B finds Kc already in B's memory despite Node's synchronous pskCallback.
import type { MafStore } from '../store/maf-store.js';

export type KeyEvent = 'registered' | 'updated' | 'deregistered';
/** held: the target retrieved the key; released: it dropped it; unreachable / failed: see the MAF log. */
export type NotificationOutcome = 'held' | 'released' | 'failed' | 'unreachable' | 'not-registered';

export interface NotifyOptions {
  store: MafStore;
  timeoutMs: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export async function notifyTargets(
  o: NotifyOptions,
  targetIds: readonly string[],
  keyIdentifier: string,
  event: KeyEvent,
): Promise<Record<string, NotificationOutcome>> {
  const out: Record<string, NotificationOutcome> = {};
  await Promise.all(
    targetIds.map(async (targetId) => {
      const uris = [...new Set((await o.store.registrationsOf(targetId)).flatMap((r) => (r.nu ? [r.nu] : [])))];
      if (uris.length === 0) {
        out[targetId] = 'not-registered';
        return;
      }
      const results = await Promise.all(uris.map((u) => post(u, keyIdentifier, event, o)));
      out[targetId] = results.includes('held') ? 'held' : results.includes('released') ? 'released' : results[0]!;
    }),
  );
  return out;
}

async function post(
  uri: string,
  keyIdentifier: string,
  event: KeyEvent,
  o: NotifyOptions,
): Promise<NotificationOutcome> {
  try {
    const res = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keyIdentifier, event }),
      signal: AbortSignal.timeout(o.timeoutMs),
      redirect: 'error',
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 200) return 'held';
    if (res.status === 404) return 'released';
    o.log?.('key notification answered with an error', { uri, status: res.status });
    return 'failed';
  } catch (e) {
    o.log?.('key notification failed', { uri, error: (e as Error).name });
    return 'unreachable';
  }
}
