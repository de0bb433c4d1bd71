// The MAF process's operations listener (issue 19 item 3): /healthz, /readyz (store and SE) and /metrics
// with the m2msec families, on its own loopback port; the ready line names its URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
let child: ChildProcess;
let out = '';
let opsPort: number;

beforeAll(async () => {
  opsPort = await freePort();
  child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      M2MSEC_MAF_CONFIG: '',
      M2MSEC_MAF_DATA_DIR: mkdtempSync(join(tmpdir(), 'm2msec-maf-ops-')),
      M2MSEC_MAF_PSK_PORT: '0',
      M2MSEC_MAF_ADMIN_PORT: '0',
      M2MSEC_MAF_ADMIN_TOKEN: 'maf-ops-test-token',
      M2MSEC_OPS_PORT: String(opsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"MAF ready"')) {
    if (child.exitCode !== null) throw new Error(`MAF exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`MAF did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

describe('MAF operations listener', () => {
  it('is named in the ready line, on loopback', () => {
    const ready = JSON.parse(out.split('\n').find((l) => l.includes('"MAF ready"'))!);
    expect(ready.ops).toBe(`http://127.0.0.1:${opsPort}`);
  });

  it('/healthz and /readyz answer, /metrics carries the m2msec families', async () => {
    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: { ok: true }, secureEnvironment: { ok: true } },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain('# TYPE m2msec_handshakes_total counter');
    expect(metrics).toMatch(/m2msec_process_resident_memory_bytes\{app="maf"\} \d+/);
  });
});
