// Keeps a MAF client registered (8.8.2.3 / 8.8.2.5): registers now (retrying while the MAF is
// unreachable), then renews before the registration expires. A CSE that is a Target MAF Client uses it
// so the MAF can announce keys to its notificationURI.
import type { ClientRegistrationAnswer, ClientRegistrationRequest, MafClient } from './maf-client.js';

export interface KeepRegisteredOptions {
  /** Registration lifetime asked for (ms); default 1 day. Renewed at two thirds of it. */
  lifetimeMs?: number;
  /** Wait after a failed attempt (ms); default 2000, doubling up to 60 000. */
  retryMs?: number;
  onRegistered?: (a: ClientRegistrationAnswer) => void;
  onError?: (message: string) => void;
}

export interface Registration {
  /** Resolves with the first successful registration. */
  readonly ready: Promise<ClientRegistrationAnswer>;
  current(): ClientRegistrationAnswer | undefined;
  /** Stops renewing (and de-registers when `deregister` is true). */
  stop(deregister?: boolean): Promise<void>;
}

export function keepRegistered(
  client: MafClient,
  request: Omit<ClientRegistrationRequest, 'expirationTime'>,
  o: KeepRegisteredOptions = {},
): Registration {
  const lifetime = o.lifetimeMs ?? 86_400_000;
  let current: ClientRegistrationAnswer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let resolveReady!: (a: ClientRegistrationAnswer) => void;
  const ready = new Promise<ClientRegistrationAnswer>((r) => {
    resolveReady = r;
  });
  const schedule = (ms: number, fn: () => void) => {
    if (stopped) return;
    timer = setTimeout(fn, ms);
    timer.unref();
  };
  const attempt = async (backoff: number) => {
    try {
      const a = await client.registerClient({ ...request, expirationTime: Date.now() + lifetime });
      if (stopped) return;
      current = a;
      o.onRegistered?.(a);
      resolveReady(a);
      const left = Date.parse(a.expirationTime) - Date.now();
      schedule(Math.max(1000, Math.floor((left * 2) / 3)), () => void attempt(o.retryMs ?? 2000));
    } catch (e) {
      o.onError?.(`MAF Client Registration failed: ${(e as Error).message}`);
      schedule(backoff, () => void attempt(Math.min(backoff * 2, 60_000)));
    }
  };
  void attempt(o.retryMs ?? 2000);
  return {
    ready,
    current: () => current,
    async stop(deregister = false) {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (deregister && current) await client.deregisterClient(current.mafClientRegID).catch(() => undefined);
    },
  };
}
