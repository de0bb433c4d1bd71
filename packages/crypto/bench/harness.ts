// Minimal timing harness: run a case for a fixed wall-clock budget, report operations per second.
import { performance } from 'node:perf_hooks';

let sink = 0;
/** Keeps results observable so the engine cannot drop the work. */
export function consume(value: Uint8Array | boolean | object): void {
  sink ^= value instanceof Uint8Array ? (value[0] ?? 0) : value === true ? 1 : 0;
}

export function opsPerSecond(fn: () => void, budgetMs: number): number {
  for (let i = 0; i < 2000; i++) fn(); // warm-up
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 200; i++) fn();
    ops += 200;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

export interface Row {
  readonly name: string;
  readonly opsPerSec: number;
  readonly baseline: string;
  readonly baselineOpsPerSec: number;
}

export function printRows(rows: readonly Row[]): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`${'case'.padEnd(44)} ${'ops/s'.padStart(12)}   ${'baseline'.padEnd(36)} ${'ops/s'.padStart(12)}  ratio`);
  for (const r of rows) {
    const ratio = (r.opsPerSec / r.baselineOpsPerSec).toFixed(2);
    console.log(
      `${r.name.padEnd(44)} ${fmt(r.opsPerSec).padStart(12)}   ${r.baseline.padEnd(36)} ${fmt(r.baselineOpsPerSec).padStart(12)}  ${ratio}`,
    );
  }
  if (sink === -1) console.log('');
}
