// Bench timing (the esprim and esdata benches): run a case for a fixed wall-clock budget, report operations per second.
import { performance } from 'node:perf_hooks';

export async function opsPerSecond(
  fn: () => Promise<unknown> | unknown,
  budgetMs: number,
  warmup = 200,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 20; i++) await fn();
    ops += 20;
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
  console.log(`${'case'.padEnd(48)} ${'ops/s'.padStart(10)}   ${'baseline'.padEnd(40)} ${'ops/s'.padStart(10)}  ratio`);
  for (const r of rows) {
    const ratio = (r.opsPerSec / r.baselineOpsPerSec).toFixed(2);
    console.log(
      `${r.name.padEnd(48)} ${fmt(r.opsPerSec).padStart(10)}   ${r.baseline.padEnd(40)} ${fmt(r.baselineOpsPerSec).padStart(10)}  ${ratio}`,
    );
  }
}

/**
 * Case and baseline measured in alternating slices (`rounds` each) so that load from other processes on a
 * shared machine falls on both alike; returns ops/s of each over all its slices.
 */
export async function interleaved(
  fn: () => Promise<unknown> | unknown,
  baseline: () => Promise<unknown> | unknown,
  budgetMs: number,
  rounds = 8,
): Promise<{ ops: number; baselineOps: number }> {
  for (let i = 0; i < 100; i++) {
    await fn();
    await baseline();
  }
  const slice = async (f: () => Promise<unknown> | unknown) => {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budgetMs / rounds) {
      for (let i = 0; i < 10; i++) await f();
      ops += 10;
      now = performance.now();
    }
    return { ops, ms: now - start };
  };
  const a = { ops: 0, ms: 0 };
  const b = { ops: 0, ms: 0 };
  for (let r = 0; r < rounds; r++) {
    const x = await slice(baseline);
    const y = await slice(fn);
    b.ops += x.ops;
    b.ms += x.ms;
    a.ops += y.ops;
    a.ms += y.ms;
  }
  return { ops: (a.ops * 1000) / a.ms, baselineOps: (b.ops * 1000) / b.ms };
}
