// pnpm bench (in-cse): requests/s of GET <contentInstance> through the IN-CSE (ACP checks on, a
// non-admin originator) and of a bare express handler, both separate processes, same load generator.
// The IN-CSE writes its access line per request (packages/observability) to a file, as a deployment would.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, m2m, startInCse } from '../test/harness.js';
import { type LoadResult, load } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 2);

async function main() {
  const logFile = join(mkdtempSync(join(tmpdir(), 'm2msec-bench-log-')), 'in-cse.log');
  const cse = await startInCse({
    store: 'sqlite',
    env: { M2MSEC_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', M2MSEC_LOG_FILE: logFile },
  });
  const reg = (from: string) =>
    m2m(cse.url, 'POST', '/cse-in', { from, ty: 2, body: { 'm2m:ae': { api: 'Nbench', rr: false, srv: ['3'] } } });
  await reg('Cbench');
  await reg('Creader');
  const acp = await m2m(cse.url, 'POST', '/cse-in/Cbench', {
    from: 'Cbench',
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'acp',
        pv: {
          acr: [
            { acor: ['Cbench'], acop: 63 },
            { acor: ['Creader'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['Cbench'], acop: 63 }] },
      },
    },
  });
  await m2m(cse.url, 'POST', '/cse-in/Cbench', {
    from: 'Cbench',
    ty: 3,
    body: { 'm2m:cnt': { rn: 'data', acpi: [acp.body['m2m:acp'].ri] } },
  });
  await m2m(cse.url, 'POST', '/cse-in/Cbench/data', {
    from: 'Cbench',
    ty: 4,
    body: { 'm2m:cin': { rn: 'reading', con: '21.5', cnf: 'text/plain:0' } },
  });
  const path = '/cse-in/Cbench/data/reading';
  const headers = { 'X-M2M-Origin': 'Creader', 'X-M2M-RI': 'bench', 'X-M2M-RVI': '3', Accept: 'application/json' };
  const sample = await m2m(cse.url, 'GET', path, { from: 'Creader' });
  if (sample.rsc !== 2000) throw new Error(`bench setup failed: ${sample.rsc}`);

  const port = await freePort();
  const bare: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'bare-express.ts'), JSON.stringify(sample.body)],
    {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => bare.stdout!.once('data', () => resolve()));

  // Warm both, then alternate rounds so load from elsewhere hits both sides alike; report medians.
  const cseUrl = `${cse.url}${path}`;
  const bareUrl = `http://127.0.0.1:${port}${path}`;
  await load(cseUrl, headers, { concurrency: 16, seconds: 1, maxRequests: 1e6 });
  await load(bareUrl, headers, { concurrency: 16, seconds: 1, maxRequests: 1e6 });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const viaCse: LoadResult[] = [];
  const viaBare: LoadResult[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = await load(cseUrl, headers, { concurrency: 32, seconds, maxRequests: 2e6 });
    const b = await load(bareUrl, headers, { concurrency: 32, seconds, maxRequests: 2e6 });
    viaCse.push(c);
    viaBare.push(b);
    ratios.push(c.perSecond / b.perSecond);
  }
  bare.kill();
  await cse.stop();
  const accessLines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"access"')).length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const errors = [...viaCse, ...viaBare].reduce((n, r) => n + r.errors, 0);
  const perSecond = (rs: LoadResult[]) =>
    median(rs.map((r) => r.perSecond))
      .toFixed(0)
      .padStart(8);
  console.log(
    `GET <contentInstance>, 32 keep-alive connections, one process each, ${rounds} alternating rounds of ${seconds} s`,
  );
  console.log(`  bare express handler:                       ${perSecond(viaBare)} req/s (median)`);
  console.log(`  IN-CSE (ACP checks on, access log to a file): ${perSecond(viaCse)} req/s (median)`);
  console.log(`  access lines written:                       ${accessLines}`);
  const each = ratios.map((r) => r.toFixed(2)).join(' ');
  console.log(
    `  ratio IN-CSE / bare:                        ${median(ratios).toFixed(2)} median (rounds: ${each}; target >= 0.70)`,
  );
  const served = viaCse.reduce((n, r) => n + r.requests, 0);
  if (accessLines < served) {
    console.log(`  only ${accessLines} access lines for ${served} requests: access logging was not on`);
    process.exitCode = 1;
  }
  if (errors > 0) {
    console.log(`  ${errors} requests failed`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
