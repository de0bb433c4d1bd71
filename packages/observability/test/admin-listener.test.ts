// The admin listener against a real dependency: /readyz follows a PostgreSQL cluster of the test's own
// (stopped and started under it), /metrics is scraped over HTTP, /healthz stays live throughout.

import { openStore, type Store } from '@m2msec/store';
import { type PrivatePostgres, startPrivatePostgres } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminListener, Metrics, startAdminListener, timeResourceStore } from '../src/index.js';

let pg: PrivatePostgres;
let store: Store;
let admin: AdminListener;
const metrics = new Metrics({ app: 'test' });

beforeAll(async () => {
  pg = await startPrivatePostgres();
  store = await openStore({ kind: 'postgres', connectionString: pg.url, schema: 'readyz_test' });
  const resources = timeResourceStore(store.resources, metrics);
  admin = await startAdminListener({
    port: 0,
    metrics,
    checks: { store: () => resources.get('readyz-probe') },
    checkTimeoutMs: 1500,
  });
}, 120_000);

afterAll(async () => {
  await admin?.close();
  await store?.close().catch(() => undefined);
  pg?.destroy();
});

async function until(path: string, status: number, deadlineMs = 20_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await fetch(`${admin.url}${path}`);
    const body = await r.text();
    if (r.status === status) return body;
    if (Date.now() > end) throw new Error(`${path} stayed ${r.status}: ${body}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('admin listener', () => {
  it('listens on loopback by default', () => {
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('/readyz is 200 with PostgreSQL up, 503 naming the store when it stops, 200 again after it starts', async () => {
    const up = JSON.parse(await until('/readyz', 200));
    expect(up).toEqual({ status: 'ready', checks: { store: { ok: true } } });
    pg.stop();
    const down = JSON.parse(await until('/readyz', 503));
    expect(down.status).toBe('not ready');
    expect(down.checks.store.ok).toBe(false);
    expect(down.checks.store.error).toBeTruthy();
    expect((await fetch(`${admin.url}/healthz`)).status).toBe(200);
    pg.start();
    await until('/readyz', 200, 30_000);
  }, 90_000);

  it('/metrics is the Prometheus text format with the m2msec families and the store latency', async () => {
    const r = await fetch(`${admin.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    for (const family of [
      'm2msec_requests_total',
      'm2msec_request_duration_seconds',
      'm2msec_handshakes_total',
      'm2msec_refusals_total',
      'm2msec_replay_rejections_total',
      'm2msec_enrolments_total',
      'm2msec_notification_queue_depth',
      'm2msec_store_operation_duration_seconds',
      'm2msec_process_cpu_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${family}`);
    }
    expect(text).toMatch(/m2msec_store_operation_duration_seconds_count\{app="test",operation="get"\} [1-9]/);
  });

  it('the notification queue depth is read from its sources at each scrape', async () => {
    let waiting = 3;
    metrics.observeNotificationQueue(() => waiting);
    metrics.observeNotificationQueue(() => 2);
    const depth = async () =>
      /m2msec_notification_queue_depth\{app="test"\} (\d+)/.exec(
        await (await fetch(`${admin.url}/metrics`)).text(),
      )?.[1];
    expect(await depth()).toBe('5');
    waiting = 0;
    expect(await depth()).toBe('2');
  });

  it('anything else is a JSON 404/405, never HTML', async () => {
    const r = await fetch(`${admin.url}/nope`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: expect.stringContaining('/metrics') });
    expect((await fetch(`${admin.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
