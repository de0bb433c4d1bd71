// Originator classification throughput against a bare parseOriginator over the same From values,
// measured in the same run. The two cases alternate in short rounds so that load from other
// processes hits both alike; the ratio is the median of the per-round ratios.
// Usage: pnpm --filter @m2msec/identification bench   (BENCH_SECONDS sets the total per case, default 3)
import { Operation, parseOriginator } from '@m2msec/protocol';
import { type ClassifyContext, classifyOriginator, type Peer } from '../src/index.js';

const ctx: ClassifyContext = {
  spId: 'm2msec.org',
  cseId: '/id-in',
  registreeCseIds: new Set(['/id-mn1', '/id-mn2', '/id-mn3']),
};

// A request mix a busy IN-CSE sees: AEs over Mca, forwarded requests over Mcc, an inter-SP one.
const cases: Array<{ fr: string; peer: Peer }> = [
  { fr: 'Cae5dzfgpmqvz3yqw6hbsk2nrwq', peer: { kind: 'ae' } },
  { fr: 'Smeter-0042', peer: { kind: 'ae' } },
  { fr: '/id-mn1/Cq7s2', peer: { kind: 'cse', cseId: '/id-mn1' } },
  { fr: '/id-mn1', peer: { kind: 'cse', cseId: '/id-mn1' } },
  { fr: '/Sdev7', peer: { kind: 'cse', cseId: '/id-mn2' } },
  { fr: '//other.org/id-x/Cpartner', peer: { kind: 'remote-sp', spId: 'other.org' } },
];
const n = cases.length;

const baseline = (i: number) => parseOriginator(cases[i % n]!.fr).raw.length;
const classify = (i: number) => {
  const c = cases[i % n]!;
  return classifyOriginator({ op: Operation.RETRIEVE, fr: c.fr }, c.peer, ctx).id.length;
};

const ROUNDS = 15;
const roundNs = (Number(process.env.BENCH_SECONDS ?? 3) * 1e9) / ROUNDS;
let sink = 0;

/** Runs fn in batches for about roundNs; returns [ops, ns]. */
function round(fn: (i: number) => number): [number, number] {
  const start = process.hrtime.bigint();
  let ops = 0;
  let ns = 0;
  while (ns < roundNs) {
    for (let i = 0; i < 5_000; i++) sink += fn(ops + i);
    ops += 5_000;
    ns = Number(process.hrtime.bigint() - start);
  }
  return [ops, ns];
}

for (let i = 0; i < 300_000; i++) sink += baseline(i) + classify(i); // warm-up

const totals = { base: [0, 0], classify: [0, 0] };
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const [bo, bn] = round(baseline);
  const [co, cn] = round(classify);
  totals.base = [totals.base[0]! + bo, totals.base[1]! + bn];
  totals.classify = [totals.classify[0]! + co, totals.classify[1]! + cn];
  ratios.push(co / cn / (bo / bn));
}
ratios.sort((a, b) => a - b);
const perSecond = ([ops, ns]: number[]) => Math.round((ops! / ns!) * 1e9).toLocaleString('en-US');
console.log(`parseOriginator (baseline)   ${perSecond(totals.base).padStart(12)} ops/s`);
console.log(`classifyOriginator           ${perSecond(totals.classify).padStart(12)} ops/s`);
console.log(
  `ratio classifyOriginator / parseOriginator: median ${ratios[ROUNDS >> 1]!.toFixed(2)} (rounds ${ratios[0]!.toFixed(2)}..${ratios[ROUNDS - 1]!.toFixed(2)}) sink ${sink & 1}`,
);
