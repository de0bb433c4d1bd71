/** Ops per second of `fn` run back to back for about `ms` milliseconds (after a short warm-up). */
export async function opsPerSec(fn: (i: number) => unknown, ms = 1500): Promise<number> {
  let i = 0;
  for (const end = performance.now() + 100; performance.now() < end; ) for (let k = 0; k < 50; k++) await fn(i++);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let k = 0; k < 100; k++) await fn(i++);
    n += 100;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** Same, for a synchronous function (no await, which would itself cost more than the call). */
export function opsPerSecSync(fn: (i: number) => unknown, ms = 1500): number {
  let i = 0;
  for (const end = performance.now() + 100; performance.now() < end; ) for (let k = 0; k < 100; k++) fn(i++);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let k = 0; k < 1000; k++) fn(i++);
    n += 1000;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** Concurrent variant: `width` calls in flight at once. */
export async function opsPerSecParallel(
  fn: (i: number) => Promise<unknown>,
  width: number,
  ms = 1500,
): Promise<number> {
  let i = 0;
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await Promise.all(Array.from({ length: width }, () => fn(i++)));
    n += width;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export function report(name: string, ops: number, baseline?: number, baselineName?: string): void {
  const ratio = baseline === undefined ? '' : `  ${(ops / baseline).toFixed(3)} x ${baselineName}`;
  console.log(`${name.padEnd(52)} ${Math.round(ops).toLocaleString('en-US').padStart(12)} ops/s${ratio}`);
}
