// How a node's program learns of configuration changes (docs/remote-security-config.md, "How the node
// notices"): push by <subscription> when it is configured and the subscription holds, with a slow poll
// beside it as the fallback for a lost notification; polling at the normal period otherwise (no push
// configured, the endpoint cannot listen, or the IN-CSE refused the subscription or its target).
import type { DeviceSecurityConfig } from './device-config.js';

export interface WatchOptions {
  /** The node's notification endpoint (host: loopback by default; port: 0 for any free one). */
  push?: { host?: string; port?: number };
  /** Poll period when polling is the channel; default 10 s. */
  pollMs?: number;
  /** Poll period beside working push; default 1 h. */
  fallbackPollMs?: number;
  /** Told when the first round fails (the poll recovers from it). */
  onError?: (e: Error) => void;
}

export interface Watching {
  channel: 'push' | 'poll';
  /** Period of the poll timer now running. */
  pollMs: number;
  notificationUrl?: string;
  /** Why push is not the channel although it was configured. */
  reason?: string;
}

/** Opens the channel and runs a first round; resolves once that round ended. */
export async function watchConfiguration(device: DeviceSecurityConfig, o: WatchOptions): Promise<Watching> {
  const watching = await open(device, o);
  // A first round now: what changed while the program was down, and (push) the <mgmtObj> subscriptions.
  // A failure is the poll's to recover from.
  await device.poll('start').catch((e: Error) => o.onError?.(e));
  return watching;
}

async function open(device: DeviceSecurityConfig, o: WatchOptions): Promise<Watching> {
  const pollMs = o.pollMs ?? 10_000;
  if (!o.push) {
    device.start(pollMs);
    return { channel: 'poll', pollMs };
  }
  let notificationUrl: string | undefined;
  let reason: string | undefined;
  try {
    notificationUrl = await device.listenForNotifications(o.push);
    if (!device.subscribed) reason = 'the registrar did not accept the <subscription> on the <node>';
  } catch (e) {
    reason = `the notification endpoint could not be opened: ${(e as Error).message}`;
  }
  if (reason) {
    device.start(pollMs);
    return { channel: 'poll', pollMs, reason, ...(notificationUrl ? { notificationUrl } : {}) };
  }
  const fallbackPollMs = o.fallbackPollMs ?? 3_600_000;
  device.start(fallbackPollMs);
  return { channel: 'push', pollMs: fallbackPollMs, notificationUrl: notificationUrl! };
}
