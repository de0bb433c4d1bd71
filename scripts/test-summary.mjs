// Adds up the vitest JSON reports of every package into one closing line: "N passed, N failed".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const root = join(import.meta.dirname, '..');
// Every workspace package with a test script must have left a report (a crash leaves none).
const expected = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    try {
      const pkg = JSON.parse(readFileSync(join(root, group, name, 'package.json'), 'utf8'));
      if (pkg.scripts?.test) expected.push(pkg.name);
    } catch {
      // not a package
    }
  }
}
let passed = 0,
  failed = 0,
  skipped = 0,
  brokenSuites = 0;
const failedSuites = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that fails before its tests run (import error, failing hook) counts no failed test.
  brokenSuites += r.numFailedTestSuites ?? 0;
  if (r.numFailedTests > 0 || r.numFailedTestSuites > 0) failedSuites.push(f.replace('.json', '').replace('+', '/'));
}
// Where the time goes (CI aims under 25 minutes): each package's span and the slowest files.
const spans = [];
const files = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const results = r.testResults ?? [];
  if (!results.length) continue;
  const start = Math.min(...results.map((t) => t.startTime));
  const end = Math.max(...results.map((t) => t.endTime));
  spans.push([f.replace('.json', '').replace('+', '/'), end - start]);
  for (const t of results)
    files.push([
      `${f.replace('.json', '').replace('+', '/')} ${t.name.split('/').slice(-2).join('/')}`,
      t.endTime - t.startTime,
    ]);
}
const top = (rows, n) =>
  rows
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `${Math.round(ms / 1000)}s ${name}`)
    .join(', ');
if (spans.length) console.log(`slowest packages: ${top(spans, 8)}`);
if (files.length) console.log(`slowest files: ${top(files, 12)}`);
const reported = new Set(readdirSync(dir).map((f) => f.replace('.json', '').replace('+', '/')));
const missing = expected.filter((name) => !reported.has(name));
if (missing.length) console.log(`no test report from: ${missing.join(', ')}`);
if (failedSuites.length) console.log(`failing packages: ${failedSuites.join(', ')}`);
if (brokenSuites > 0) console.log(`${brokenSuites} test files failed to run`);
// The docker scenarios (scripts/lib/dockerd.sh): ran, skipped with the reason, or could not be prepared.
const note = (f) => {
  try {
    return readFileSync(join(dir, f), 'utf8').trim();
  } catch {
    return undefined;
  }
};
const dockerSkipped = note('docker-skipped.txt');
const dockerFailed = note('docker-failed.txt');
if (dockerSkipped) console.log(`docker scenarios SKIPPED: ${dockerSkipped}`);
else if (dockerFailed) console.log(`docker scenarios FAILED before running: ${dockerFailed}`);
else if (note('docker-ready.txt')) console.log(`docker scenarios ran (${note('docker-ready.txt')})`);
console.log(`Summary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(
  failed > 0 || brokenSuites > 0 || dockerFailed !== undefined || missing.length > 0 || passed === 0 ? 1 : 0,
);
