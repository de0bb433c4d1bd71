// Validation cost on the request hot path, against a bare JSON.parse of the same body in the same run.
// Run: pnpm --filter @m2msec/protocol bench
import { toLongNames, toShortNames, validateRequest, validateResource } from '../src/index.js';

const body = JSON.stringify({
  op: 1,
  to: 'cse-in/ae1',
  fr: 'Cae1',
  rqi: 'req-000123',
  rvi: '3',
  ty: 3,
  rcn: 1,
  pc: {
    'm2m:cnt': {
      rn: 'temperature',
      mni: 100,
      mbs: 10000,
      lbl: ['room:kitchen', 'sensor'],
      acpi: ['cse-in/acp1'],
      et: '20991231T235959',
    },
  },
});

let sink = 0;
function measure(f: () => unknown, seconds = 2): number {
  for (let i = 0; i < 20_000; i++) f(); // warm-up (JIT)
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) if (f() !== undefined) sink++;
    n += 1000;
    now = process.hrtime.bigint();
  }
  const ops = n / (Number(now - start) / 1e9);
  return ops;
}

const parsed = JSON.parse(body);
const cases: [string, () => unknown][] = [
  ['JSON.parse(body) [baseline]', () => JSON.parse(body)],
  ['validateRequest(parsed)', () => validateRequest(parsed)],
  ["validateResource('create', 3, pc)", () => validateResource('create', 3, parsed.pc)],
  [
    'JSON.parse + validateRequest + validateResource',
    () => {
      const p = validateRequest(JSON.parse(body));
      return validateResource('create', 3, p.pc);
    },
  ],
  ['toLongNames(parsed) + toShortNames', () => toShortNames(toLongNames(parsed))],
];

const results = cases.map(([name, f]) => [name, measure(f)] as const);
const base = results[0]![1];
console.log(`body: ${body.length} bytes; node ${process.version}`);
for (const [name, ops] of results) {
  console.log(
    `${name.padEnd(50)} ${Math.round(ops).toLocaleString('en-US').padStart(12)} ops/s   ratio vs JSON.parse ${(ops / base).toFixed(2)}x`,
  );
}
if (sink < 0) console.log(sink);
