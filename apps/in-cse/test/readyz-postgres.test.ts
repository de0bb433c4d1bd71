// Issue 19 item 3 against the IN-CSE process: its operations listener's /readyz follows the store. On a
// PostgreSQL cluster of the test's own, stopped under the running IN-CSE, /readyz turns 503 and names the
// store while /healthz (the process is alive) stays 200; started again, /readyz is 200 and requests are
// served again without restarting the IN-CSE.
import { type PrivatePostgres, startPrivatePostgres } from '@m2msec/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, type InCseProcess, m2m, startInCse } from './harness.js';

let pg: PrivatePostgres;
let cse: InCseProcess;
let ops: string;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  const opsPort = await freePort();
  ops = `http://127.0.0.1:${opsPort}`;
  cse = await startInCse({
    store: 'postgres',
    pgSchema: 'in_cse_readyz',
    env: { M2MSEC_PG_URL: pg.url, M2MSEC_OPS_PORT: String(opsPort) },
  });
}, 180_000);

afterAll(async () => {
  await cse?.stop();
  pg?.destroy();
});

/** Polls an operations path until it answers `status`; returns the body. */
async function until(path: string, status: number, ms = 60_000): Promise<Record<string, any>> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fetch(`${ops}${path}`).catch(() => undefined);
    if (r?.status === status) return (await r.json()) as Record<string, any>;
    if (Date.now() > end) throw new Error(`${path} did not answer ${status} (last ${r?.status})`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

it('/readyz is 503 naming the store while PostgreSQL is stopped, 200 again once it is back', async () => {
  expect((await until('/readyz', 200)).status).toBe('ready');
  pg.stop();
  const down = await until('/readyz', 503);
  expect(down.status).toBe('not ready');
  expect(down.checks.store.ok).toBe(false);
  expect((await fetch(`${ops}/healthz`)).status).toBe(200);
  pg.start();
  expect((await until('/readyz', 200)).checks.store.ok).toBe(true);
  const r = await m2m(cse.url, 'GET', '/cse-in', { from: 'CAdmin' });
  expect(r.rsc).toBe(2000);
}, 240_000);
