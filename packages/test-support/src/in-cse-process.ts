// Starts a built IN-CSE (its dist/main.js) as its own process and talks to it over HTTP as a oneM2M
// client would (TS-0009 headers). Shared by the IN-CSE tests and the conformance suite.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const pgUrl = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface InCseProcess {
  url: string;
  /** The process ID (for its RSS in /proc, or a SIGKILL). */
  pid: number;
  port: number;
  dataDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface InCseStartOptions {
  /** Path of the IN-CSE's built entry point (apps/in-cse/dist/main.js). */
  main: string;
  store: 'sqlite' | 'postgres';
  dataDir?: string;
  port?: number;
  pgSchema?: string;
  /** Written to <dataDir>/config.json and named by M2MSEC_CONFIG (the IN-CSE's JSON configuration). */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Options for node itself, before the entry point (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** How long to wait for the first answer (ms); default 20 000. A loaded machine may need more. */
  startTimeoutMs?: number;
}

export async function startInCseProcess(o: InCseStartOptions): Promise<InCseProcess> {
  const port = o.port ?? (await freePort());
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'm2msec-in-cse-'));
  let configFile = '';
  if (o.config) {
    configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify(o.config));
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    M2MSEC_HTTP_PORT: String(port),
    M2MSEC_HTTP_HOST: '127.0.0.1',
    M2MSEC_DATA_DIR: dataDir,
    M2MSEC_LOG_LEVEL: 'warn',
    M2MSEC_CONFIG: configFile,
    ...(o.store === 'postgres'
      ? { M2MSEC_STORE: 'postgres', M2MSEC_PG_URL: pgUrl, M2MSEC_PG_SCHEMA: o.pgSchema ?? 'in_cse_test' }
      : {}),
    ...o.env,
  };
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), o.main], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // Generous by default: on a shared, loaded machine a restart after SIGKILL (WAL recovery, key load) can take long.
  const deadline = Date.now() + (o.startTimeoutMs ?? Number(process.env.M2MSEC_START_TIMEOUT_MS ?? 90_000));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`in-cse exited with ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`${url}/cse-in`, {
        headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
      });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // not left running behind a failed start
      throw new Error(`in-cse did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    port,
    dataDir,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface M2MResponse {
  status: number;
  rsc: number;
  headers: Headers;
  body: any;
}

let rqiCounter = 0;

/** One oneM2M request over HTTP (TS-0009 headers). */
export async function m2m(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  o: { from?: string; ty?: number; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<M2MResponse> {
  const headers: Record<string, string> = {
    'X-M2M-RI': `rq${++rqiCounter}`,
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    ...o.headers,
  };
  if (o.from !== undefined) headers['X-M2M-Origin'] = o.from;
  if (o.body !== undefined || o.rawBody !== undefined)
    headers['Content-Type'] = `application/json${o.ty ? `;ty=${o.ty}` : ''}`;
  const r = await fetch(base + path, {
    method,
    headers,
    body: o.rawBody ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
  });
  const text = await r.text();
  return {
    status: r.status,
    rsc: Number(r.headers.get('X-M2M-RSC')),
    headers: r.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}
