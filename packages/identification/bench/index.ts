// Originator classification throughput against a bare parseOriginator over the same From values,
// measured in the same run. Usage: pnpm --filter @m2msec/identification bench
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

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function measure(name: string, fn: (i: number) => number): number {
  // warm-up, then time batches until the budget is spent
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += fn(i);
  const budget = BigInt(Math.round(SECONDS * 1e9));
  const start = process.hrtime.bigint();
  let ops = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 10_000; i++) sink += fn(ops + i);
    ops += 10_000;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSecond = ops / (Number(elapsed) / 1e9);
  console.log(
    `${name.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(14)} ops/s  (sink ${sink & 1})`,
  );
  return perSecond;
}

const n = cases.length;
const base = measure('parseOriginator (baseline)', (i) => parseOriginator(cases[i % n]!.fr).raw.length);
const classify = measure('classifyOriginator', (i) => {
  const c = cases[i % n]!;
  return classifyOriginator({ op: Operation.RETRIEVE, fr: c.fr }, c.peer, ctx).id.length;
});
console.log(`ratio classifyOriginator / parseOriginator: ${(classify / base).toFixed(2)}`);
