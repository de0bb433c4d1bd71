// rateLimit (TS-0001 9.6.8, 10.2.10.7): at most `mnn` notifications per window of `tww`; windows are
// sequential, not rolling. What exceeds a window waits, in order, for the next one. Kept in the memory
// of the process that produced the events, like batches (docs/conformance.md).
import { parseDuration } from './duration.js';

interface Window {
  start: number;
  sent: number;
  waiting: Array<() => void>;
  timer?: NodeJS.Timeout;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  /** Runs `send` now or when the subscription's rate limit allows it. */
  submit(ri: string, rl: { mnn?: number; tww?: string }, send: () => void): void {
    if (rl.mnn === undefined || rl.tww === undefined) {
      send();
      return;
    }
    const tww = parseDuration(rl.tww, 'rateLimit/tww (rl/tww)');
    const now = Date.now();
    let w = this.windows.get(ri);
    if (!w || (now >= w.start + tww && w.waiting.length === 0)) {
      w = { start: now, sent: 0, waiting: [] };
      this.windows.set(ri, w);
    }
    if (w.sent < rl.mnn && w.waiting.length === 0) {
      w.sent += 1;
      send();
      return;
    }
    w.waiting.push(send);
    if (!w.timer) this.schedule(ri, w, rl.mnn, tww);
  }

  private schedule(ri: string, w: Window, mnn: number, tww: number): void {
    w.timer = setTimeout(
      () => {
        w.timer = undefined;
        w.start = Date.now();
        w.sent = 0;
        while (w.sent < mnn && w.waiting.length > 0) {
          w.sent += 1;
          w.waiting.shift()!();
        }
        if (w.waiting.length > 0) this.schedule(ri, w, mnn, tww);
      },
      Math.max(0, w.start + tww - Date.now()),
    );
    w.timer.unref();
  }

  /** Drops what waits for a deleted subscription. */
  forget(ri: string): void {
    const w = this.windows.get(ri);
    if (w?.timer) clearTimeout(w.timer);
    this.windows.delete(ri);
  }
}
