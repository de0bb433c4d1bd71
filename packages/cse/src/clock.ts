// Resource timestamps with a microsecond fraction that strictly increase within the process, so
// creation order (latest/oldest, quota eviction, cra/crb) is exact even within one millisecond.
import { formatTimestamp } from '@m2msec/protocol';

let lastMicros = 0;

export function monotonicTimestamp(now: Date): string {
  let micros = now.getTime() * 1000;
  if (micros <= lastMicros) micros = lastMicros + 1;
  lastMicros = micros;
  const ms = Math.floor(micros / 1000);
  const base = formatTimestamp(new Date(ms));
  return `${base},${String(micros % 1_000_000).padStart(6, '0')}`;
}
