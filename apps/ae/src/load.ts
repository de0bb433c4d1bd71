// Device simulator / load generator: N reference AEs registered (a few at a time), each posting a
// contentInstance every `intervalMs` for `durationMs`; create latencies and failures by status code,
// with a progress line while it runs.
import { percentiles } from './lib/percentiles.js';
import type { AeOptions } from './options.js';
import { ReferenceAe } from './reference-ae.js';

export interface LoadOptions {
  count: number;
  /** Options of AE number i (0-based): give each its own stem / credential. */
  ae(i: number): AeOptions;
  intervalMs: number;
  durationMs: number;
  /** AEs registering at once; default 8. */
  startConcurrency?: number;
  /** Called about once a second. */
  onProgress?(p: LoadProgress): void;
  /** Ends the load early (the AEs finish the request they are in, then the result is made). */
  signal?: AbortSignal;
  /** Called with the address of every acknowledged (2001) contentInstance, so a test can read each back. */
  onAcknowledged?(path: string): void;
}

export interface LoadProgress {
  started: number;
  failedToStart: number;
  posts: number;
  errors: number;
  elapsedMs: number;
}

export interface LoadResult extends LoadProgress {
  /** Create latencies (ms) at p50 / p90 / p99. */
  latency: Record<string, number>;
  /** Failures by status code (or 'error' for exceptions). */
  failures: Record<string, number>;
  /** Why AEs failed to start (first few). */
  startErrors: string[];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const t0 = Date.now();
  const aes: ReferenceAe[] = [];
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const startErrors: string[] = [];
  const p: LoadProgress = { started: 0, failedToStart: 0, posts: 0, errors: 0, elapsedMs: 0 };
  const progress = setInterval(() => o.onProgress?.({ ...p, elapsedMs: Date.now() - t0 }), 1000);
  try {
    let next = 0;
    const starter = async () => {
      while (next < o.count) {
        const ae = new ReferenceAe(o.ae(next++));
        try {
          await ae.start();
          aes.push(ae);
          p.started++;
        } catch (e) {
          p.failedToStart++;
          if (startErrors.length < 5) startErrors.push((e as Error).message);
          await ae.close().catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.startConcurrency ?? 8, o.count) }, starter));
    const until = Date.now() + o.durationMs;
    await Promise.all(
      aes.map(async (ae, i) => {
        // Spread the first posts over one interval so the AEs do not fire in step.
        await sleep(Math.floor((i / Math.max(1, aes.length)) * o.intervalMs));
        let seq = 0;
        while (Date.now() < until && !o.signal?.aborted) {
          const started = performance.now();
          try {
            const r = await ae.post({ seq: seq++, value: Math.round(Math.random() * 1000) / 10 });
            if (r.rsc === 2001) {
              latencies.push(performance.now() - started);
              const rn = (r.pc as { 'm2m:cin'?: { rn?: string } } | undefined)?.['m2m:cin']?.rn;
              if (o.onAcknowledged && rn) o.onAcknowledged(`${ae.dataPath}/${rn}`);
            } else {
              p.errors++;
              failures[r.rsc] = (failures[r.rsc] ?? 0) + 1;
            }
          } catch {
            p.errors++;
            failures.error = (failures.error ?? 0) + 1;
          }
          p.posts++;
          const wait = o.intervalMs - (performance.now() - started);
          if (wait > 0 && !o.signal?.aborted) await sleep(Math.min(wait, until - Date.now()));
        }
      }),
    );
  } finally {
    clearInterval(progress);
    await Promise.all(aes.map((a) => a.close().catch(() => undefined)));
  }
  return { ...p, elapsedMs: Date.now() - t0, latency: percentiles(latencies, [50, 90, 99]), failures, startErrors };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A one-line progress display: rewritten in place on a terminal; otherwise the first, then one every 5 s. */
export function progressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
  total?: number,
): (p: LoadProgress) => void {
  let last: number | undefined;
  return (p) => {
    const line = `AEs ${p.started}${total ? `/${total}` : ''} (${p.failedToStart} failed)  posts ${p.posts}  errors ${p.errors}  ${(p.posts / Math.max(1, p.elapsedMs / 1000)).toFixed(1)}/s  ${Math.round(p.elapsedMs / 1000)} s`;
    if (stream.isTTY) stream.write(`\r${line}\x1b[K`);
    else if (last === undefined || p.elapsedMs - last >= 5000) {
      last = p.elapsedMs;
      stream.write(`${line}\n`);
    }
  };
}
