// Issue 21: CREATE <contentInstance> through the IN-CSE (SQLite, synchronous=FULL: validation, access
// decision under an ACP, container accounting, subscription matching, durable commit before the answer)
// against a bare node:http + better-sqlite3 handler doing the same durable write, both separate processes,
// the same closed-loop load of 32 keep-alive connections, alternating rounds. The IN-CSE's concurrent
// CREATEs share commits (group commit in @m2msec/store); the bare handler commits each INSERT alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, m2m, startInCse } from '../test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 2);

/** Closed loop: `concurrency` connections, each POSTs the next body when the previous answer arrived. */
async function post(url: string, headers: Record<string, string>, body: string, concurrency: number, s: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  let done = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + s * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 201) done++;
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  agent.destroy();
  return { perSecond: (done * 1000) / (performance.now() - t0), errors };
}

async function main() {
  const cse = await startInCse({ store: 'sqlite', env: { M2MSEC_LOG_LEVEL: 'error' } });
  await m2m(cse.url, 'POST', '/cse-in', {
    from: 'Cbench',
    ty: 2,
    body: { 'm2m:ae': { api: 'Nbench', rr: false, srv: ['3'] } },
  });
  const acp = await m2m(cse.url, 'POST', '/cse-in/Cbench', {
    from: 'Cbench',
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'acp',
        pv: { acr: [{ acor: ['Cbench'], acop: 63 }] },
        pvs: { acr: [{ acor: ['Cbench'], acop: 63 }] },
      },
    },
  });
  // mni bounds the container: eviction of the oldest instance is part of every CREATE once it is full.
  await m2m(cse.url, 'POST', '/cse-in/Cbench', {
    from: 'Cbench',
    ty: 3,
    body: { 'm2m:cnt': { rn: 'data', mni: 1000, acpi: [acp.body['m2m:acp'].ri] } },
  });
  const port = await freePort();
  const bare: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'bare-sqlite-insert.ts'), join(mkdtempSync(join(tmpdir(), 'm2msec-bare-')), 'b.db')],
    { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => bare.stdout!.once('data', () => resolve()));
  const headers = {
    'X-M2M-Origin': 'Cbench',
    'X-M2M-RI': 'bench',
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    'Content-Type': 'application/json;ty=4',
  };
  const body = JSON.stringify({ 'm2m:cin': { cnf: 'text/plain:0', con: '21.5' } });
  const cseUrl = `${cse.url}/cse-in/Cbench/data`;
  const bareUrl = `http://127.0.0.1:${port}/cse-in/Cbench/data`;
  await post(cseUrl, headers, body, 32, 1);
  await post(bareUrl, headers, body, 32, 1);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const c: number[] = [];
  const b: number[] = [];
  let errors = 0;
  for (let i = 0; i < rounds; i++) {
    const x = await post(cseUrl, headers, body, 32, seconds);
    const y = await post(bareUrl, headers, body, 32, seconds);
    c.push(x.perSecond);
    b.push(y.perSecond);
    errors += x.errors + y.errors;
  }
  bare.kill();
  await cse.stop();
  const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
  const ratios = c.map((x, i) => x / b[i]!);
  console.log(`CREATE <contentInstance>, 32 keep-alive connections, ${rounds} alternating rounds of ${seconds} s`);
  console.log(`  bare node:http + better-sqlite3 INSERT (FULL):  ${median(b).toFixed(0).padStart(7)} req/s (median)`);
  console.log(`  IN-CSE (ACP, accounting, mni, FULL):           ${median(c).toFixed(0).padStart(7)} req/s (median)`);
  console.log(
    `  ratio IN-CSE / bare:                           ${median(ratios).toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')}; target >= 0.5)`,
  );
  if (errors > 0) {
    console.log(`  ${errors} requests failed`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
