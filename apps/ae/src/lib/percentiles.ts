/** Nearest-rank percentiles of a sample (ms), e.g. percentiles(xs, [50, 90, 99]). */
export function percentiles(sample: readonly number[], ps: readonly number[]): Record<string, number> {
  const sorted = [...sample].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const p of ps) {
    out[`p${p}`] =
      sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  }
  return out;
}
