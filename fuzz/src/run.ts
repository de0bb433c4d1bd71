// `pnpm fuzz [--cases N] [--seconds S] [--only a,b] [--seed N]`: runs every harness (or the named ones) and
// prints, per harness, the cases run, cases/s, how many inputs were accepted or refused, and the findings
// with a preview of the first ones. Exits 1 when anything was found.
import { parseArgs } from 'node:util';
import { type FuzzResult, fuzz } from './fuzz.js';
import { harnesses } from './harnesses/index.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '0' },
    only: { type: 'string' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    `usage: pnpm fuzz [--cases N] [--seconds S] [--only ${harnesses.map((h) => h.name).join(',')}] [--seed N]\n`,
  );
  process.exit(0);
}
const only = values.only?.split(',');
const unknown = only?.filter((n) => !harnesses.some((h) => h.name === n));
if (unknown?.length) {
  process.stderr.write(`unknown harness: ${unknown.join(', ')}\n`);
  process.exit(2);
}
const cases = Number(values.cases);
const seconds = Number(values.seconds);
const results: FuzzResult[] = [];
for (const h of harnesses.filter((x) => !only || only.includes(x.name))) {
  const r = await fuzz(h, { cases, seconds, seed: Number(values.seed) });
  results.push(r);
  process.stderr.write(`${r.name}: ${r.cases} cases, ${r.findings} findings\n`);
}

const rows = results.map((r) => [
  r.name,
  String(r.cases),
  String(Math.round(r.cases / (r.ms / 1000))),
  String(r.accepted),
  String(r.refused),
  String(r.findings),
  r.slowestMs.toFixed(1),
]);
const head = ['harness', 'cases', 'cases/s', 'accepted', 'refused', 'findings', 'slowest ms'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
for (const r of results.filter((x) => x.findings > 0)) {
  console.log(`\n${r.name} (${r.parses}):`);
  for (const e of r.examples) console.log(`  ${e.error}\n    input: ${e.input}`);
}
process.exit(results.some((r) => r.findings > 0) ? 1 : 0);
