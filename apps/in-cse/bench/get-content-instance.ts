// pnpm bench (in-cse): requests/s of GET <contentInstance> through the IN-CSE (ACP checks on, a
// non-admin originator) and of a bare express handler, both separate processes, same load generator.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, m2m, startInCse } from '../test/harness.js';
import { load } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 4);

async function main() {
  const cse = await startInCse({ store: 'sqlite', env: { M2MSEC_LOG_LEVEL: 'error' } });
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

  // Warm both, then measure alternately.
  await load(`${cse.url}${path}`, headers, { concurrency: 16, seconds: 1, maxRequests: 1e6 });
  await load(`http://127.0.0.1:${port}${path}`, headers, { concurrency: 16, seconds: 1, maxRequests: 1e6 });
  const viaCse = await load(`${cse.url}${path}`, headers, { concurrency: 32, seconds, maxRequests: 2e6 });
  const viaBare = await load(`http://127.0.0.1:${port}${path}`, headers, {
    concurrency: 32,
    seconds,
    maxRequests: 2e6,
  });
  bare.kill();
  await cse.stop();
  const ratio = viaCse.perSecond / viaBare.perSecond;
  console.log('GET <contentInstance>, 32 keep-alive connections, one process each');
  console.log(
    `  bare express handler:       ${viaBare.perSecond.toFixed(0).padStart(8)} req/s (${viaBare.errors} errors)`,
  );
  console.log(
    `  IN-CSE (ACP checks on):     ${viaCse.perSecond.toFixed(0).padStart(8)} req/s (${viaCse.errors} errors)`,
  );
  console.log(`  ratio IN-CSE / bare:        ${ratio.toFixed(2)} (target >= 0.70)`);
  if (viaCse.errors > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
