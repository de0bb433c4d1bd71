#!/usr/bin/env node
// Writes the generated part of docs/conformance.md: every clause the conformance suite covers, with
// its tests per store and their results. Runs the suite (vitest, JSON reporter) unless given a report:
//   node test-conformance/scripts/table.mjs [--report <vitest-json>] [--out docs/conformance.md]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const out = resolve(opt('--out', join(pkg, '..', 'docs', 'conformance.md')));
let report = opt('--report');
if (!report) {
  report = join(mkdtempSync(join(tmpdir(), 'm2msec-conformance-')), 'report.json');
  const r = spawnSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${report}`], {
    cwd: pkg,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.error) throw r.error;
}
const json = JSON.parse(readFileSync(report, 'utf8'));

// Clause headings (TS-0004 V3.32.0 unless named otherwise), so the table reads without the spec at hand.
const TITLES = {
  '7.3.2.1': 'Check the validity of received request primitive (release version)',
  '7.3.2.2': 'Create <request> resource locally (non-blocking requests)',
  '7.3.3.3': 'Check validity of resource representation for CREATE (resource type, expirationTime, creator)',
  '7.3.3.4': 'Check validity of resource representation for UPDATE (expirationTime)',
  '7.3.3.10': 'Announce the resource or attribute',
  '7.3.3.14': 'Resource discovery procedure',
  '7.3.3.17.0': 'Using filter criteria for identification of target resources',
  '7.3.3.17.1': 'Filter criteria: conditions on creationTime',
  '7.3.3.17.5': 'Filter criteria: conditions on labels',
  '7.3.3.17.6': 'Filter criteria: conditions on resourceType',
  '7.3.3.17.7': 'Filter criteria: conditions on contentSize',
  '7.3.3.17.9': 'Filter criteria: conditions on attribute name and value pairs',
  '7.3.3.17.10': 'Filter criteria: limit (and offset, 7.3.3.17.15)',
  '7.3.3.17.11': 'Filter criteria: filter usage (and desiredIdentifierResultType)',
  '7.3.3.17.12': 'Filter criteria: filter operation',
  '7.3.3.17.14': 'Filter criteria: level',
  '7.4.2.2.1': '<accessControlPolicy> Create',
  '7.4.3': 'Resource Type <CSEBase>',
  '7.4.5.2.1': '<AE> Create',
  '7.4.6.2.3': '<container> Update',
  '7.4.7.2.1': '<contentInstance> Create',
  '7.4.7.2.2': '<contentInstance> Retrieve',
  '7.4.7.2.4': '<contentInstance> Delete',
  '7.4.8.2.1': '<subscription> Create',
  '7.4.8.2.3': '<subscription> Update',
  '7.4.9.2.1': '<schedule> Create',
  '7.4.10.2.1': '<locationPolicy> Create',
  '7.4.12.2.1': '<request> Create',
  '7.4.12.2.2': '<request> Retrieve',
  '7.4.14.2.1': '<fanOutPoint> Create',
  '7.4.14.2.3': '<fanOutPoint> Update',
  '7.4.14.2.4': '<fanOutPoint> Delete',
  '7.4.15.2.1': '<mgmtObj> Create',
  '7.4.18.2.1': '<node> Create',
  '7.4.21.2.1': '<pollingChannel> Create',
  '7.4.22.2.2': '<pollingChannelURI> Retrieve (long polling)',
  '7.4.26': 'Announced resource types',
  '7.4.37.2.1': '<flexContainer> Create',
  '7.4.37.2.3': '<flexContainer> Update',
  '7.4.38.2.1': '<timeSeries> Create',
  '7.4.38.2.3': '<timeSeries> Update',
  '7.4.39.2.1': '<timeSeriesInstance> Create',
  '7.5.1.2.2': 'Notification for <subscription> resources',
  '7.5.1.2.3': 'Subscription Verification during Subscription Creation',
  '7.5.1.2.4': 'Notification of Subscription Deletion',
  '7.5.1.2.19': 'Notification for Subscription Blocking Triggered update',
  'TS-0001 9.6.1.3': 'Commonly Used Attributes (expirationTime)',
};

const rows = new Map();
for (const file of json.testResults ?? []) {
  for (const t of file.assertionResults ?? []) {
    const m = /^\[([^\]]+)\] (.*)$/.exec(t.title);
    if (!m) continue;
    const store = /\((sqlite|postgres)\)$/.exec(t.ancestorTitles?.at(-1) ?? '')?.[1] ?? '?';
    const key = m[1];
    const row = rows.get(key) ?? { tests: new Set(), files: new Set(), sqlite: [0, 0], postgres: [0, 0] };
    row.tests.add(m[2]);
    row.files.add(basename(file.name));
    if (row[store]) {
      row[store][1] += 1;
      if (t.status === 'passed') row[store][0] += 1;
    }
    rows.set(key, row);
  }
}

const order = (a, b) => {
  const na = a
    .replace(/^TS-\d+ /, '9999.')
    .split('.')
    .map(Number);
  const nb = b
    .replace(/^TS-\d+ /, '9999.')
    .split('.')
    .map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++)
    if ((na[i] ?? -1) !== (nb[i] ?? -1)) return (na[i] ?? -1) - (nb[i] ?? -1);
  return 0;
};
const keys = [...rows.keys()].sort(order);
let total = 0;
const lines = [
  '| Clause | Title | Tests | SQLite passed | PostgreSQL passed | File |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const k of keys) {
  const r = rows.get(k);
  total += r.tests.size;
  lines.push(
    `| ${k} | ${(TITLES[k] ?? '').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))} | ${r.tests.size} | ${r.sqlite[0]}/${r.sqlite[1]} | ${r.postgres[0]}/${r.postgres[1]} | ${[...r.files].join(', ')} |`,
  );
}
lines.push('', `${keys.length} clauses, ${total} tests, each run on both stores.`);
const details = ['', '### Tests by clause', ''];
for (const k of keys) {
  details.push(`- **${k}**`);
  for (const t of [...rows.get(k).tests].sort())
    details.push(`  - ${t.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))}`);
}

const BEGIN = '<!-- generated by test-conformance/scripts/table.mjs: begin -->';
const END = '<!-- generated by test-conformance/scripts/table.mjs: end -->';
const generated = [BEGIN, ...lines, ...details, END].join('\n');
let doc;
try {
  doc = readFileSync(out, 'utf8');
} catch {
  doc = `# Conformance\n\n${BEGIN}\n${END}\n`;
}
const a = doc.indexOf(BEGIN);
const b = doc.indexOf(END);
doc = a >= 0 && b > a ? doc.slice(0, a) + generated + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${generated}\n`;
writeFileSync(out, doc);
console.log(`wrote ${out}: ${keys.length} clauses, ${total} tests`);
