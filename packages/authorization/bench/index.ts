// Access decisions per second on one core (Node runs the loop on one thread), for
//   (a) pv-only rules, (b) rules with time, IP and location contexts, (c) a 100-policy resource tree,
// against a baseline measured in the same run: one Set.has lookup of the originator, the least any
// decision does. Cases alternate in short rounds so load from other processes hits all alike; each
// ratio is the median of the per-round ratios.
// (a) and (c) also as the decision point (decision/decision-point.ts) runs them: a selection per request
// and the permitting rule's Decision.
// Usage: pnpm --filter @m2msec/authorization bench   (BENCH_SECONDS sets the time per case, default 3)
import { AccessControlOperation as Op } from '@m2msec/protocol';
import {
  type AccessControlPolicyResource,
  AccessDecisionEngine,
  type AccessRequest,
  parseRequestIp,
  requestTime,
} from '../src/index.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };
const engine = new AccessDecisionEngine(ctx);
const originators = ['/id-in/Cmeter1', '/id-in/Cmeter2', '/id-mn/Cgw', '/Sapp', '/id-in/Cops', '//other.org/id-x/Cp'];
const ops = [Op.RETRIEVE, Op.CREATE, Op.UPDATE, Op.DISCOVERY];
const acp = (ri: string, acr: object[]): AccessControlPolicyResource => ({
  ri,
  lt: '20260101T000000',
  pv: { acr: acr as never },
  pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
});

// (a) a typical AE's policy set: owner, readers by ID and wildcard, an operator domain.
const pvOnly = [
  acp('a1', [
    { acor: ['Cmeter1'], acop: 63 },
    { acor: ['/id-mn/Cgw', 'Cops', '//m2msec.org/Sapp'], acop: Op.RETRIEVE | Op.DISCOVERY },
  ]),
  acp('a2', [{ acor: ['/id-in/Cmeter*'], acop: Op.RETRIEVE }]),
];

// (b) the same rules constrained by office hours, a LAN and a circle around the site.
const contexts = [
  {
    actw: ['* * 6-20 * * 1-5 *'],
    acip: { ipv4: ['10.0.0.0/8', '192.168.0.0/16'] },
    aclr: { accr: [48.8566, 2.3522, 25_000] },
  },
];
const withContexts = [
  acp('b1', [
    { acor: ['Cmeter1'], acop: 63, acco: contexts },
    { acor: ['/id-mn/Cgw', 'Cops', '//m2msec.org/Sapp'], acop: Op.RETRIEVE | Op.DISCOVERY, acco: contexts },
  ]),
  acp('b2', [{ acor: ['/id-in/Cmeter*'], acop: Op.RETRIEVE, acco: [{ acip: { ipv6: ['fd00::/8'] } }, ...contexts] }]),
];

// (c) 100 policies over a tree of 100 resources, each linking 1-3 of them.
const policies = Array.from({ length: 100 }, (_, i) =>
  acp(`c${i}`, [
    { acor: [`/id-in/Cmeter${i % 7}`, `Cdev${i}`], acop: 63 },
    { acor: i % 3 === 0 ? ['//m2msec.org'] : [`/id-mn/C*${i % 5}`], acop: Op.RETRIEVE | Op.DISCOVERY },
    ...(i % 4 === 0 ? [{ acor: ['all'], acop: Op.RETRIEVE, acco: [{ acip: { ipv4: ['10.0.0.0/8'] } }] }] : []),
  ]),
);
const tree = Array.from({ length: 100 }, (_, i) => [
  policies[i]!,
  ...(i % 2 ? [policies[(i * 7) % 100]!] : []),
  ...(i % 5 === 0 ? [policies[(i * 13) % 100]!] : []),
]);

const when = [new Date('2026-03-04T09:15:00Z'), new Date('2026-03-07T22:00:00Z'), new Date('2026-03-05T12:00:00Z')];
const ips = ['10.1.2.3', '192.168.7.7', '203.0.113.9', 'fd00::5'];
const locations = [
  { latitude: 48.86, longitude: 2.35 },
  { latitude: 48.8, longitude: 2.13 },
  { latitude: 52.52, longitude: 13.4 },
];
// Requests are prepared as the CSE prepares them once per request (rq_time fields, parsed rq_ip).
const requests: AccessRequest[] = Array.from({ length: 64 }, (_, i) => ({
  originator: originators[i % originators.length]!,
  operation: ops[i % ops.length]!,
  authenticated: i % 2 === 0,
  resourceType: 3,
  targetType: 2,
  time: requestTime(when[i % when.length]!),
  ip: parseRequestIp(ips[i % ips.length]),
  location: locations[i % locations.length],
}));
const R = requests.length - 1;
const owners = new Set(['/id-in/Cmeter1', '/id-in/Cops']);

const cases: Array<[string, (i: number) => boolean]> = [
  ['baseline: Set.has(originator)', (i) => owners.has(requests[i & R]!.originator)],
  ['(a) pv-only rules', (i) => engine.permits(pvOnly, 'pv', requests[i & R]!)],
  ['(b) time + IP + location contexts', (i) => engine.permits(withContexts, 'pv', requests[i & R]!)],
  ['(c) 100-policy resource tree', (i) => engine.permits(tree[i % 100]!, 'pv', requests[i & R]!)],
  // What the decision point does per decision: select the policies' rule sets, name the permitting rule.
  [
    '(a) via the decision point: select + decide (rule named)',
    (i) => engine.select(pvOnly, 'pv').decide(requests[i & R]!) !== undefined,
  ],
  [
    '(c) via the decision point: select + decide (rule named)',
    (i) => engine.select(tree[i % 100]!, 'pv').decide(requests[i & R]!) !== undefined,
  ],
  [
    '(b) incl. per-request rq_time / rq_ip preparation',
    (i) => {
      const r = requests[i & R]!;
      const q = { ...r, time: requestTime(when[i % 3]!), ip: parseRequestIp(ips[i & 3]) };
      return engine.permits(withContexts, 'pv', q);
    },
  ],
];

const ROUNDS = 15;
const roundNs = (Number(process.env.BENCH_SECONDS ?? 3) * 1e9) / ROUNDS;
let sink = 0;

function round(fn: (i: number) => boolean): [number, number] {
  const start = process.hrtime.bigint();
  let n = 0;
  let ns = 0;
  while (ns < roundNs) {
    for (let i = 0; i < 10_000; i++) if (fn(n + i)) sink++;
    n += 10_000;
    ns = Number(process.hrtime.bigint() - start);
  }
  return [n, ns];
}

for (const [, fn] of cases) for (let i = 0; i < 200_000; i++) if (fn(i)) sink++; // warm-up and compile
const totals = cases.map(() => [0, 0]);
const ratios: number[][] = cases.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  const rates = cases.map(([, fn], c) => {
    const [n, ns] = round(fn);
    totals[c]![0]! += n;
    totals[c]![1]! += ns;
    return n / ns;
  });
  rates.forEach((rate, c) => {
    ratios[c]!.push(rate / rates[0]!);
  });
}
console.log(`access decisions on one core (${process.version}, ${ROUNDS} rounds)`);
cases.forEach(([name], c) => {
  const perSecond = Math.round((totals[c]![0]! / totals[c]![1]!) * 1e9);
  const rs = ratios[c]!.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(50)} ${perSecond.toLocaleString('en-US').padStart(12)} decisions/s   ratio to baseline ${rs[ROUNDS >> 1]!.toFixed(3)}`,
  );
});
console.log(`(sink ${sink & 1})`);
