// pnpm bench (in-cse): requests/s of GET `la` of a container through the IN-CSE (ACP checks on, a
// non-admin originator) and of bare node:http and express handlers returning the same body, each its own
// process, same load generator (issue 21: IN-CSE / node:http >= 0.5). The IN-CSE writes its access line per
// request (packages/observability) to a file, as a deployment would (issue 19).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startInCse } from '../test/harness.js';
import { type LoadResult, load } from './load.js';
import { LATEST, READER_HEADERS, setUpProtectedGet } from './protected-get-setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 2);

/** Starts a baseline server program (bench/<file>) answering `body`; resolves with its port when ready. */
async function startBaseline(file: string, body: unknown): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, file), JSON.stringify(body)], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { port, child };
}

async function main() {
  const logFile = join(mkdtempSync(join(tmpdir(), 'm2msec-bench-log-')), 'in-cse.log');
  const cse = await startInCse({
    store: 'sqlite',
    env: { M2MSEC_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', M2MSEC_LOG_FILE: logFile },
  });
  const sample = await setUpProtectedGet(cse);
  const express = await startBaseline('bare-express.ts', sample);
  const node = await startBaseline('bare-node-http.ts', sample);

  // Warm all, then alternate rounds so load from elsewhere hits every side alike; report medians.
  const urls = {
    cse: `${cse.url}${LATEST}`,
    express: `http://127.0.0.1:${express.port}${LATEST}`,
    node: `http://127.0.0.1:${node.port}${LATEST}`,
  };
  for (const url of Object.values(urls))
    await load(url, READER_HEADERS, { concurrency: 16, seconds: 1, maxRequests: 1e6 });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const results = { cse: [] as LoadResult[], express: [] as LoadResult[], node: [] as LoadResult[] };
  const vsExpress: number[] = [];
  const vsNode: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = await load(urls.cse, READER_HEADERS, { concurrency: 32, seconds, maxRequests: 2e6 });
    const e = await load(urls.express, READER_HEADERS, { concurrency: 32, seconds, maxRequests: 2e6 });
    const n = await load(urls.node, READER_HEADERS, { concurrency: 32, seconds, maxRequests: 2e6 });
    results.cse.push(c);
    results.express.push(e);
    results.node.push(n);
    vsExpress.push(c.perSecond / e.perSecond);
    vsNode.push(n.perSecond > 0 ? c.perSecond / n.perSecond : 0);
  }
  express.child.kill();
  node.child.kill();
  await cse.stop();
  rmSync(cse.dataDir, { recursive: true, force: true });
  const accessLines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"access"')).length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const errors = [...results.cse, ...results.express, ...results.node].reduce((n, r) => n + r.errors, 0);
  const perSecond = (rs: LoadResult[]) =>
    median(rs.map((r) => r.perSecond))
      .toFixed(0)
      .padStart(8);
  const each = (xs: number[]) => xs.map((r) => r.toFixed(2)).join(' ');
  console.log(
    `GET ${LATEST} (an ACP, a non-admin originator), 32 keep-alive connections, one process each, ${rounds} alternating rounds of ${seconds} s`,
  );
  console.log(`  bare node:http handler:     ${perSecond(results.node)} req/s (median)`);
  console.log(`  bare express handler:       ${perSecond(results.express)} req/s (median)`);
  console.log(`  IN-CSE (ACP checks on):     ${perSecond(results.cse)} req/s (median), access log to a file`);
  console.log(`  access lines written:       ${accessLines}`);
  console.log(
    `  ratio IN-CSE / node:http:   ${median(vsNode).toFixed(2)} median (rounds: ${each(vsNode)}; target >= 0.50)`,
  );
  console.log(
    `  ratio IN-CSE / express:     ${median(vsExpress).toFixed(2)} median (rounds: ${each(vsExpress)}; target >= 0.70)`,
  );
  if (errors > 0) {
    console.log(`  ${errors} requests failed`);
    process.exitCode = 1;
  }
  const served = results.cse.reduce((n, r) => n + r.requests, 0);
  if (accessLines < served) {
    console.log(`  only ${accessLines} access lines for ${served} requests: access logging was not on`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
