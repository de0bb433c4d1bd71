// Runs one harness for a number of cases or seconds, counting accepted inputs, documented refusals and
// findings (anything else thrown, or a case slower than `slowMs`). Inputs come from fast-check with a
// fixed seed per batch, so a run is repeatable.
import { performance } from 'node:perf_hooks';
import * as fc from 'fast-check';
import type { Harness } from './harness.js';

export interface Finding {
  input: string;
  error: string;
}

export interface FuzzResult {
  name: string;
  parses: string;
  cases: number;
  ms: number;
  accepted: number;
  refused: number;
  findings: number;
  /** The first few findings, with a preview of the input. */
  examples: Finding[];
  slowestMs: number;
}

export interface FuzzOptions {
  cases: number;
  /** Stop after this many seconds even if `cases` is not reached (0: no time limit). */
  seconds?: number;
  seed?: number;
  /** A single case slower than this is a finding (an algorithmic-complexity attack). */
  slowMs?: number;
}

const BATCH = 500;

export function preview(v: unknown): string {
  if (v instanceof Uint8Array) {
    const hex = Buffer.from(v.subarray(0, 48)).toString('hex');
    return `${v.length} bytes: ${hex}${v.length > 48 ? '…' : ''}`;
  }
  const s =
    typeof v === 'string'
      ? JSON.stringify(v)
      : JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x));
  return s === undefined ? String(v) : s.length > 240 ? `${s.slice(0, 240)}… (${s.length} chars)` : s;
}

const describeError = (e: unknown) =>
  e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : `non-Error thrown: ${String(e).slice(0, 200)}`;

export async function fuzz<T>(h: Harness<T>, o: FuzzOptions): Promise<FuzzResult> {
  const seed = o.seed ?? 1;
  const slowMs = o.slowMs ?? 1000;
  const deadline = o.seconds ? performance.now() + o.seconds * 1000 : Number.POSITIVE_INFINITY;
  const r: FuzzResult = {
    name: h.name,
    parses: h.parses,
    cases: 0,
    ms: 0,
    accepted: 0,
    refused: 0,
    findings: 0,
    examples: [],
    slowestMs: 0,
  };
  const finding = (input: T, error: string) => {
    r.findings++;
    if (r.examples.length < 3) r.examples.push({ input: preview(input), error });
  };
  await h.setup?.();
  const start = performance.now();
  for (let batch = 0; r.cases < o.cases && performance.now() < deadline; batch++) {
    const inputs = fc.sample(h.input, { numRuns: Math.min(BATCH, o.cases - r.cases), seed: seed + batch * 7919 });
    for (const input of inputs) {
      const t0 = performance.now();
      try {
        const out = h.run(input);
        if (out instanceof Promise) await out;
        r.accepted++;
      } catch (e) {
        if (h.refusal(e)) r.refused++;
        else finding(input, describeError(e));
      }
      const took = performance.now() - t0;
      if (took > r.slowestMs) r.slowestMs = took;
      if (took > slowMs) finding(input, `slow: one case took ${took.toFixed(0)} ms`);
      r.cases++;
    }
  }
  r.ms = performance.now() - start;
  return r;
}
