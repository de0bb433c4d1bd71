// The administration listener of a long-running program: /metrics (Prometheus text format), /healthz
// (the process answers) and /readyz (each dependency - store, broker, secure environment - answers in
// time). Its own port, loopback by default, apart from the oneM2M listeners: scraping never competes
// with requests for a connection limit, and nothing on it is reachable from where devices connect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/** A readiness check: resolves when the dependency answers, rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface AdminListenerOptions {
  host?: string;
  port: number;
  metrics: Metrics;
  checks?: Record<string, ReadinessCheck>;
  /** Per check, default 2000 ms. */
  checkTimeoutMs?: number;
}

export interface AdminListener {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (e) {
    // The error's message only (a driver's text such as ECONNREFUSED), never a stack or a connection string.
    const m = (e as Error)?.message ?? String(e);
    return m.replace(/\w+:\/\/[^\s@]*@/g, '<url>@').slice(0, 200);
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; error?: string }> }> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((n) => runCheck(checks[n]!, timeoutMs)));
  const out: Record<string, { ok: boolean; error?: string }> = {};
  names.forEach((n, i) => {
    out[n] = results[i] === undefined ? { ok: true } : { ok: false, error: results[i] };
  });
  return { ready: results.every((r) => r === undefined), checks: out };
}

export async function startAdminListener(o: AdminListenerOptions): Promise<AdminListener> {
  const host = o.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed: use GET' });
    if (path === '/healthz') return json(200, { status: 'live' });
    if (path === '/readyz') {
      readiness(o.checks ?? {}, o.checkTimeoutMs)
        .then((r) => json(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks }))
        .catch(() => json(503, { status: 'not ready' }));
      return;
    }
    if (path === '/metrics') {
      o.metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': o.metrics.registry.contentType });
          res.end(text);
        })
        .catch(() => json(500, { error: 'metrics could not be collected' }));
      return;
    }
    json(404, { error: `no such path: ${path}; this listener serves /metrics, /healthz and /readyz` });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
