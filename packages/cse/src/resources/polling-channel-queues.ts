// Requests waiting for an AE or CSE that can only be reached through its <pollingChannel> (TS-0001
// 10.2.5.12, TS-0004 7.4.22.2.2 / 7.4.22.2.5): the sender waits for the response the target NOTIFYs
// back to <pollingChannelURI>, matched by the Request Identifier. Held in this process: a notification
// and the long poll that carries it must reach the same CSE instance (docs/conformance-resources.md).
import { M2MError, type RequestPrimitive, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';

/** Requests queued per channel before further ones are refused (a target that never polls). */
export const MAX_PENDING_PER_CHANNEL = 100;

interface Awaiting {
  channel: string;
  req: RequestPrimitive;
  resolve: (rsp: ResponsePrimitive) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

export class PollingChannelQueues {
  private readonly pending = new Map<string, RequestPrimitive[]>();
  private readonly pollers = new Map<string, Array<(req: RequestPrimitive) => void>>();
  private readonly awaiting = new Map<string, Awaiting>();

  /** Hands `req` to the channel's next long poll; resolves with the target's response. */
  deliver(channel: string, req: RequestPrimitive, timeoutMs: number): Promise<ResponsePrimitive> {
    const queue = this.pending.get(channel) ?? [];
    if (queue.length >= MAX_PENDING_PER_CHANNEL) {
      return Promise.reject(
        new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, 'the polling channel of the target is full'),
      );
    }
    if (this.awaiting.has(req.rqi)) {
      return Promise.reject(new M2MError(ResponseStatusCode.CONFLICT, `request '${req.rqi}' is already pending`));
    }
    const answer = new Promise<ResponsePrimitive>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.awaiting.delete(req.rqi);
        const q = this.pending.get(channel);
        if (q?.includes(req)) q.splice(q.indexOf(req), 1);
        reject(
          new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, 'no response through the polling channel in time'),
        );
      }, timeoutMs);
      timer.unref();
      this.awaiting.set(req.rqi, { channel, req, resolve, reject, timer });
    });
    const poller = this.pollers.get(channel)?.shift();
    if (poller) poller(req);
    else {
      queue.push(req);
      this.pending.set(channel, queue);
    }
    return answer;
  }

  /** The next request for the channel, waiting up to `waitMs`; undefined on timeout. */
  poll(channel: string, waitMs: number): Promise<RequestPrimitive | undefined> {
    const queued = this.pending.get(channel)?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const list = this.pollers.get(channel) ?? [];
      const take = (req: RequestPrimitive) => {
        clearTimeout(timer);
        resolve(req);
      };
      const timer = setTimeout(() => {
        const i = list.indexOf(take);
        if (i >= 0) list.splice(i, 1);
        resolve(undefined);
      }, waitMs);
      timer.unref();
      list.push(take);
      this.pollers.set(channel, list);
    });
  }

  /** The channel was deleted: its queued and awaited requests fail now rather than at their timeout. */
  drop(channel: string): void {
    this.pending.delete(channel);
    for (const [rqi, a] of this.awaiting) {
      if (a.channel !== channel) continue;
      clearTimeout(a.timer);
      this.awaiting.delete(rqi);
      a.reject(new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, 'the polling channel was deleted'));
    }
  }

  /** A response NOTIFYed to the channel (7.4.22.2.5); false when no request of the channel awaits it. */
  respond(channel: string, rsp: ResponsePrimitive): boolean {
    const a = this.awaiting.get(rsp.rqi);
    if (!a || a.channel !== channel) return false;
    clearTimeout(a.timer);
    this.awaiting.delete(rsp.rqi);
    a.resolve(rsp);
    return true;
  }
}
