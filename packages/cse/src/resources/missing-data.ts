// Missing data detection of <timeSeries> (TS-0001 10.2.4.29, TS-0004 7.4.38.2.1, 7.5.1.2.9).
// Monitoring starts with the first <timeSeriesInstance>: expected dgt(N) = first dgt + N * pei; point N
// is missing when no instance with dgt in [expected - peid, expected + peid] exists at expected + mdt.
// A missing point goes into mdlt (oldest dropped beyond mdn) and mdc; subscriptions with net 8
// ("Report on missing data points") and a missingData {num, dur} condition count points in a window of
// dur that starts at the first missing point; from the num-th point of a window on, each point is
// notified as m2m:tsn {mdlt: points since the last notification, mdc: points in the window}.
// The timers live in this process (docs/conformance-resources.md): a start of the CSE re-arms them from
// each series' newest instance, and one CSE instance does the detection for a series.
import { ResourceType } from '@m2msec/protocol';
import type { Store, StoredResource } from '@m2msec/store';
import type { Logger } from '../logger.js';
import { NotificationEventType, type Notifier } from '../notifications/notifier.js';
import { dgtString } from './time-series-instance.js';

/** notificationEventType "Report on missing data points" (TS-0004 Table 6.3.4.2.x, value 8). */
export const REPORT_ON_MISSING_DATA_POINTS = 8;

interface SeriesState {
  first: number;
  /** Index of the next expected point to check. */
  next: number;
  received: Set<number>;
  timer?: NodeJS.Timeout;
}

interface Window {
  end: number;
  count: number;
  unreported: string[];
}

/** xs:duration in milliseconds (PnDTnHnMnS; years and months are refused: they have no fixed length). */
export function durationMillis(d: unknown): number | undefined {
  if (typeof d !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(d);
  if (!m || d === 'P' || d.endsWith('T')) return undefined;
  const [, days, h, min, s] = m;
  return ((Number(days ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

export class MissingDataMonitor {
  private readonly series = new Map<string, SeriesState>();
  private readonly windows = new Map<string, Window>();
  private closed = false;

  constructor(private readonly parts: () => { store: Store; notifier: Notifier; log: Logger }) {}

  /** An instance with dgt `dgt` (ms) was committed in the timeSeries `tsRi`. */
  instanceCreated(tsRi: string, dgt: number): void {
    if (this.closed) return;
    this.parts()
      .store.resources.get(tsRi)
      .then((ts) => ts && this.received(ts, dgt))
      .catch((e) => this.parts().log.warn({ ri: tsRi }, `missing data monitor: ${e.message}`));
  }

  /** An instance with dgt `dgt` (ms) was created in `ts`. */
  received(ts: StoredResource, dgt: number): void {
    if (this.closed || ts.mdd !== true || typeof ts.pei !== 'number') return;
    let s = this.series.get(ts.ri);
    if (!s) {
      s = { first: dgt, next: 1, received: new Set() };
      this.series.set(ts.ri, s);
    }
    const n = Math.round((dgt - s.first) / ts.pei);
    if (n >= s.next && Math.abs(dgt - (s.first + n * ts.pei)) <= ((ts.peid as number) ?? 0)) s.received.add(n);
    if (!s.timer) this.arm(ts, s);
  }

  /**
   * After a start of the CSE: every series with detection on is monitored again from its newest
   * instance (the timers did not survive the restart; points before it are not judged).
   */
  async resume(cseBaseRi: string): Promise<void> {
    const { store } = this.parts();
    for (const ts of await store.resources.descendants(cseBaseRi, { ty: [ResourceType.timeSeries] })) {
      if (ts.mdd !== true || typeof ts.pei !== 'number') continue;
      const [newest] = await store.resources.children(ts.ri, {
        ty: [ResourceType.timeSeriesInstance],
        order: 'desc',
        lim: 1,
      });
      if (newest && typeof newest.__dgt === 'number') this.received(ts, newest.__dgt);
    }
  }

  /** mdd switched to true: monitoring starts again with the next instance. */
  restart(ri: string): void {
    this.stop(ri);
  }

  /** mdd switched to false or the series is gone: no more detection. */
  stop(ri: string): void {
    const s = this.series.get(ri);
    if (s?.timer) clearTimeout(s.timer);
    this.series.delete(ri);
  }

  close(): void {
    this.closed = true;
    for (const ri of [...this.series.keys()]) this.stop(ri);
  }

  private arm(ts: StoredResource, s: SeriesState): void {
    const due = s.first + s.next * (ts.pei as number) + (ts.mdt as number);
    s.timer = setTimeout(
      () => {
        s.timer = undefined;
        this.check(ts.ri, s).catch((e) => this.parts().log.warn({ ri: ts.ri }, `missing data check: ${e.message}`));
      },
      Math.max(0, due - Date.now()),
    );
    s.timer.unref();
  }

  private async check(ri: string, s: SeriesState): Promise<void> {
    if (this.series.get(ri) !== s) return;
    const { store } = this.parts();
    const ts = await store.resources.get(ri);
    if (ts?.mdd !== true || typeof ts.pei !== 'number') return this.stop(ri);
    const n = s.next;
    s.next += 1;
    if (s.received.delete(n)) return this.arm(ts, s);
    const expected = dgtString(s.first + n * ts.pei);
    // The <timeSeries> row is also rewritten by every instance create under it: queue with them.
    const updated = await store.transaction(
      async (tx) => {
        const fresh = await tx.resources.get(ri);
        if (!fresh) return undefined;
        const mdlt = [...((fresh.mdlt as string[] | undefined) ?? []), expected];
        const max = typeof fresh.mdn === 'number' ? fresh.mdn : Number.POSITIVE_INFINITY;
        while (mdlt.length > max) mdlt.shift();
        const next = { ...fresh, mdlt, mdc: mdlt.length };
        await tx.resources.update(next);
        return next;
      },
      { serializeOn: [ri] },
    );
    if (!updated) return this.stop(ri);
    // mdlt / mdc changed: an update of the resource for its net 1 subscribers too.
    await this.parts().notifier.event(updated, NotificationEventType.update, updated);
    await this.report(updated, expected);
    this.arm(updated, s);
  }

  /** 10.2.4.29 reporting policy for each subscription with a missingData condition. */
  private async report(ts: StoredResource, point: string): Promise<void> {
    const { store, notifier } = this.parts();
    const now = Date.now();
    for (const sub of await store.resources.children(ts.ri, { ty: [ResourceType.subscription] })) {
      const enc = sub.enc as { net?: number[]; md?: { num?: number; dur?: string } } | undefined;
      const dur = durationMillis(enc?.md?.dur);
      if (!enc?.net?.includes(REPORT_ON_MISSING_DATA_POINTS) || typeof enc.md?.num !== 'number' || !dur) continue;
      // TS-0004 7.4.8.2.1: a window longer than periodicInterval generates no missing data notification.
      if (dur > (ts.pei as number)) continue;
      let w = this.windows.get(sub.ri);
      if (!w || w.end <= now) {
        w = { end: now + dur, count: 0, unreported: [] };
        this.windows.set(sub.ri, w);
      }
      w.count += 1;
      w.unreported.push(point);
      if (w.count < enc.md.num) continue;
      const rep = { 'm2m:tsn': { mdlt: w.unreported, mdc: w.count } };
      w.unreported = [];
      await notifier.notifyRepresentation(sub, REPORT_ON_MISSING_DATA_POINTS, rep);
    }
  }
}
