// The console process's operations listener (issue 19 item 3): /healthz, /readyz and /metrics on their own
// loopback port, named in the listening line; /readyz turns 503 and names the check when the IN-CSE it
// administers stops accepting connections.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './processes.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
let child: ChildProcess;
let out = '';
let opsPort: number;
let inCse: Server;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-console-ops-'));
  const ca = new TestCa('console-ops');
  const client = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' });
  // Stands in for the IN-CSE's certificate listener: readiness asks only whether it accepts connections.
  inCse = createServer((s) => s.destroy());
  await new Promise<void>((r) => inCse.listen(0, '127.0.0.1', r));
  const inCsePort = (inCse.address() as { port: number }).port;
  const consolePort = await freePort();
  opsPort = await freePort();
  const configPath = join(dir, 'console.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      http: { host: '127.0.0.1', port: consolePort },
      publicOrigin: `http://127.0.0.1:${consolePort}`,
      dataDir: dir,
      inCse: {
        url: `https://id-in.m2msec.org:${inCsePort}`,
        connectAddress: '127.0.0.1',
        ca: ca.certPath,
        cert: client.certPath,
        key: client.keyPath,
        originator: 'CAdmin',
        cseBase: 'cse-in',
        cseId: '/id-in',
        spId: 'm2msec.org',
      },
    }),
  );
  child = spawn(process.execPath, [main], {
    env: { ...process.env, M2MSEC_CONSOLE_CONFIG: configPath, M2MSEC_OPS_PORT: String(opsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('console listening')) {
    if (child.exitCode !== null) throw new Error(`console exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`console did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  inCse?.close();
});

describe('console operations listener', () => {
  it('is named in the listening line, on loopback', () => {
    expect(out).toContain(`operations: http://127.0.0.1:${opsPort}/metrics`);
  });

  it('/healthz and /readyz answer, /metrics is Prometheus text for app="console"', async () => {
    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { dataDir: { ok: true }, inCse: { ok: true } } });
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/m2msec_process_resident_memory_bytes\{app="console"\} \d+/);
  });

  it('/readyz is 503 and names the IN-CSE when it stops accepting connections', async () => {
    await new Promise((r) => inCse.close(r));
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.checks.inCse!.ok).toBe(false);
    expect(body.checks.inCse!.error).toMatch(/not reachable \(ECONNREFUSED\)/);
    expect(body.checks.dataDir!.ok).toBe(true);
  });
});
